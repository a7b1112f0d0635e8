package io.tidemark.appliance.replication;

import io.tidemark.appliance.api.ApiException;
import io.tidemark.appliance.api.CheckpointView;
import io.tidemark.appliance.api.GroupView;
import io.tidemark.appliance.api.PeerView;
import io.tidemark.appliance.api.PointView;
import io.tidemark.appliance.api.TokenView;
import io.tidemark.appliance.api.ViewInfo;
import io.tidemark.appliance.group.GroupCatalog;
import io.tidemark.appliance.group.GroupMetadata;
import io.tidemark.appliance.volume.VolumeException;
import io.tidemark.appliance.volume.VolumeException.Reason;
import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.replicator.pki.PairingException;
import io.tidemark.replicator.pki.PairingTokens;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.seal.Metadata;
import io.tidemark.replicator.ship.GroupShipper;
import io.tidemark.replicator.ship.ShipStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the admin API asks of replication: pairing, groups and their protection (primary),
 * replicas, recovery points and point-in-time views (DR), each answered as an API record.
 * Refusals are {@link VolumeException}s or {@link ApiException}s naming the value. Thread-safe.
 */
public final class Replication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Replication.class);
    private static final long CHECKPOINT_TIMEOUT_S = 30;
    /** HTTP status of each pairing failure. */
    private static final Map<PairingException.Reason, Integer> PAIRING_STATUS = Map.of(
            PairingException.Reason.BAD_TOKEN, 400,
            PairingException.Reason.EXPIRED, 400,
            PairingException.Reason.FINGERPRINT_MISMATCH, 409,
            PairingException.Reason.REFUSED, 409,
            PairingException.Reason.UNREACHABLE, 502);

    private final GroupCatalog groups;
    private final ReplicationLink link;
    private final Protections protections;
    private final Replicas replicas;

    /**
     * @param link        null: no replication link (pairing and protection answer 503)
     * @param protections null together with {@code link}
     * @param replicas    the histories kept for peers; null: none (points and views answer 503)
     */
    public Replication(GroupCatalog groups, ReplicationLink link, Protections protections, Replicas replicas) {
        this.groups = groups;
        this.link = link;
        this.protections = protections;
        this.replicas = replicas;
        if (link != null && protections != null) {
            link.onRevocation(protections::stopPeer);
        }
    }

    public GroupCatalog groupCatalog() {
        return groups;
    }

    public TokenView issueToken() {
        PairingTokens.IssuedToken t = link().issueToken();
        LOG.info("pairing token issued, valid until {}", t.expiresAt());
        return new TokenView(t.token(), t.expiresAt().toString());
    }

    public PeerView pair(String name, String address, String token) {
        try {
            return peerView(link().pair(name, address, token));
        } catch (PairingException e) {
            LOG.warn("pairing with {} at {} failed: {} ({})", name, address, e.getMessage(), e.reason());
            throw new ApiException(PAIRING_STATUS.get(e.reason()), "pairing with " + name + " at " + address
                    + " failed: " + e.getMessage() + " (" + e.reason().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + ")");
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        } catch (IOException e) {
            throw new VolumeException(Reason.STORAGE, "peer " + name + ": cannot save the pinned certificate: "
                    + e.getMessage(), e);
        }
    }

    public List<PeerView> peers() {
        return link == null ? List.of() : link.peers().stream().map(Replication::peerView).toList();
    }

    public void revoke(String name) {
        try {
            if (!link().revoke(name)) {
                throw new VolumeException(Reason.NOT_FOUND, "no peer named " + name);
            }
        } catch (IOException e) {
            throw new VolumeException(Reason.STORAGE, "peer " + name + ": cannot save the peers: " + e.getMessage(), e);
        }
    }

    public GroupView createGroup(String name, List<String> volumes) {
        if (replicas != null && replicas.contains(name)) {
            throw new VolumeException(Reason.CONFLICT, "group " + name + " already exists here as a replica");
        }
        groups.create(name, volumes);
        return group(name);
    }

    /** Primaries served here, then replicas kept here, each by name. */
    public List<GroupView> groups() {
        List<GroupView> all = new ArrayList<>();
        groups.list().forEach(g -> all.add(primary(g)));
        if (replicas != null) {
            all.addAll(replicas.groupViews());
        }
        return all;
    }

    public GroupView group(String name) {
        if (groups.find(name).isEmpty() && replicas != null && replicas.contains(name)) {
            return replicas.groupView(name);
        }
        return primary(groups.get(name));
    }

    public GroupView protect(String name, String peer, String mode) {
        refuseReplica(name, "protect it on its primary");
        if (protections == null) {
            throw unavailable();
        }
        protections.protect(name, peer, mode);
        return group(name);
    }

    /** Appends a named checkpoint to group GROUP's stream; answers once it is durable on the primary. */
    public CheckpointView checkpoint(String group, String name) {
        refuseReplica(group, "set checkpoints on its primary, they reach this replica in its stream");
        GroupMetadata g = groups.get(group);
        if (name == null || name.isBlank() || name.length() > Metadata.MAX_NAME_LENGTH) {
            throw new VolumeException(Reason.INVALID, "checkpoint name: '" + name + "' (expected: 1.."
                    + Metadata.MAX_NAME_LENGTH + " characters)");
        }
        ConsistencyGroup journal = groups.journal(group).orElseThrow(() -> new VolumeException(Reason.CONFLICT,
                "group " + group + ": its volumes " + g.volumeNames() + " are not served"));
        try {
            long seq = journal.appendMetadata(Metadata.checkpoint(name).toBytes())
                    .get(CHECKPOINT_TIMEOUT_S, TimeUnit.SECONDS);
            Instant time = Instant.now();
            LOG.info("group {}: checkpoint {} at seq {}", group, name, seq);
            return new CheckpointView(name, seq, time.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VolumeException(Reason.STORAGE, "group " + group + ": checkpoint " + name + " interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new VolumeException(Reason.STORAGE, "group " + group + ": checkpoint " + name + " not journaled"
                    + " within " + CHECKPOINT_TIMEOUT_S + " s: " + (e.getCause() != null ? e.getCause() : e), e);
        } catch (IllegalArgumentException e) {
            throw new VolumeException(Reason.INVALID, "checkpoint name: " + e.getMessage());
        }
    }

    public List<PointView> points(String group, Instant from, Instant to) {
        return replicas().points(group, from, to);
    }

    public ViewInfo export(String group, Instant at, String checkpoint, Long seq) {
        return replicas().export(group, at, checkpoint, seq);
    }

    public List<ViewInfo> views() {
        return replicas == null ? List.of() : replicas.viewList();
    }

    public void release(String view) {
        replicas().release(view);
    }

    private GroupView primary(GroupMetadata g) {
        ConsistencyGroup journal = groups.journal(g.name()).orElse(null);
        GroupMetadata.Protection p = g.protection();
        GroupShipper shipper = protections == null ? null : protections.shipper(g.name()).orElse(null);
        if (p == null || shipper == null) {
            GroupView.Sequence seq = journal == null ? null
                    : new GroupView.Sequence(journal.appendedSequence(), journal.durableSequence(), null, null);
            String state = p == null ? "unprotected" : "stopped";
            return new GroupView(g.name(), "primary", state, g.volumeNames(), p == null ? null : p.peer(),
                    p == null ? null : p.mode(), null, null, null, null, seq);
        }
        ShipStatus s = shipper.status();
        GroupView.Sync sync = s.syncTotalBytes() <= 0 ? null : new GroupView.Sync(s.syncDoneBytes(), s.syncTotalBytes(),
                Math.round(s.syncProgress() * 1000) / 10.0, s.syncEtaSeconds() < 0 ? null : s.syncEtaSeconds());
        GroupView.Sequence seq = new GroupView.Sequence(s.appendedSeq(),
                journal == null ? null : journal.durableSequence(), s.shippedSeq(), s.ackedSeq());
        return new GroupView(g.name(), "primary", s.state().toLowerCase(Locale.ROOT).replace('_', '-'),
                g.volumeNames(), p.peer(), shipper.effectiveMode(), sync, new GroupView.Lag(s.lagSeconds(), s.lagBytes()),
                null, null, seq);
    }

    /** A replica kept here cannot be changed here: 409 saying where to do it. */
    private void refuseReplica(String name, String instead) {
        if (groups.find(name).isEmpty() && replicas != null && replicas.contains(name)) {
            throw new VolumeException(Reason.CONFLICT, "group " + name + " is a replica on this appliance (expected: "
                    + instead + ")");
        }
    }

    private static PeerView peerView(Peer p) {
        return new PeerView(p.name(), p.address(), p.fingerprint(), p.pairedAt().toString());
    }

    private ReplicationLink link() {
        if (link == null) {
            throw unavailable();
        }
        return link;
    }

    private Replicas replicas() {
        if (replicas == null) {
            throw unavailable();
        }
        return replicas;
    }

    private static ApiException unavailable() {
        return new ApiException(503, "replication is not running on this appliance");
    }

    /** Stops the shippers, the views and the histories (the link itself is closed by its owner). */
    @Override
    public void close() {
        if (protections != null) {
            protections.close();
        }
        if (replicas != null) {
            replicas.close();
        }
    }
}
