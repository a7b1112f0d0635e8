package io.tidemark.appliance.replication;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.group.DurableFiles;
import io.tidemark.appliance.group.GroupCatalog;
import io.tidemark.appliance.group.GroupMetadata;
import io.tidemark.appliance.lun.JournaledUnit;
import io.tidemark.appliance.volume.VolumeCatalog;
import io.tidemark.appliance.volume.VolumeException;
import io.tidemark.appliance.volume.VolumeException.Reason;
import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.seal.Compression;
import io.tidemark.replicator.seal.DataKey;
import io.tidemark.replicator.ship.Connector;
import io.tidemark.replicator.ship.GroupDescriptor;
import io.tidemark.replicator.ship.GroupShipper;
import io.tidemark.replicator.ship.ShipSettings;
import io.tidemark.replicator.ship.VolumeDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary side of replication: one {@link GroupShipper} per protected group, started when
 * the group is protected and again at every start; each group's data key in
 * {@code groups/GROUP.key} (mode 600). Thread-safe.
 */
public final class Protections implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Protections.class);

    private final GroupCatalog groups;
    private final VolumeCatalog volumes;
    private final Function<String, Optional<Peer>> peers;
    private final Connector connector;
    private final ApplianceConfig.Replication settings;
    private final MeterRegistry registry;
    private final Map<String, GroupShipper> shippers = new HashMap<>();
    private boolean closed;

    /**
     * @param peers     the pinned peer of each name
     * @param connector dials a pinned peer with this appliance's identity
     */
    public Protections(GroupCatalog groups, VolumeCatalog volumes, Function<String, Optional<Peer>> peers,
                       Connector connector, ApplianceConfig.Replication settings, MeterRegistry registry) {
        this.groups = groups;
        this.volumes = volumes;
        this.peers = peers;
        this.connector = connector;
        this.settings = settings;
        this.registry = registry;
    }

    /** Starts shipping every protected group whose peer is still paired and whose volumes are served. */
    public synchronized void startAll() {
        for (GroupMetadata g : groups.list()) {
            GroupMetadata.Protection p = g.protection();
            if (p == null) {
                continue;
            }
            Optional<Peer> peer = peers.apply(p.peer());
            if (peer.isEmpty()) {
                LOG.warn("group {}: protected to peer {}, which is no longer paired: not shipping (pair it again)",
                        g.name(), p.peer());
                continue;
            }
            try {
                start(g, peer.get(), p.mode());
            } catch (IOException | RuntimeException e) {
                LOG.error("group {}: cannot start shipping to peer {}: {}", g.name(), p.peer(), e.getMessage());
            }
        }
    }

    /**
     * Protects group NAME to the paired peer PEER in MODE ("async" or "sync"): generates and keeps
     * its data key on first use, records the protection, starts its shipper. Protecting again to
     * the same peer changes only the mode.
     */
    public synchronized GroupMetadata protect(String name, String peerName, String mode) {
        checkOpen();
        GroupMetadata g = groups.get(name);
        if (!ShipSettings.ASYNC.equals(mode) && !ShipSettings.SYNC.equals(mode)) {
            throw new VolumeException(Reason.INVALID, "mode: " + mode + " (expected: async or sync)");
        }
        Peer peer = peers.apply(peerName).orElseThrow(() -> new VolumeException(Reason.CONFLICT, "peer " + peerName
                + " is not paired (expected: a peer from `tidemark peer list`; pair it with `tidemark peer pair`)"));
        if (!peer.dialable()) {
            throw new VolumeException(Reason.CONFLICT, "peer " + peerName + " has no replication address (it paired"
                    + " with us, not we with it; expected: run `tidemark peer pair` on this appliance)");
        }
        GroupMetadata.Protection current = g.protection();
        if (current != null && !current.peer().equals(peerName)) {
            throw new VolumeException(Reason.CONFLICT, "group " + name + " is already protected to peer "
                    + current.peer() + " (expected: the same peer; a group replicates to one peer)");
        }
        if (groups.journal(name).isEmpty()) {
            throw new VolumeException(Reason.CONFLICT, "group " + name + ": its volumes are not served, so its journal"
                    + " is closed (expected: volumes " + g.volumeNames() + " served)");
        }
        GroupShipper running = shippers.remove(name);
        if (running != null) {
            running.close();
        }
        GroupMetadata updated = groups.protect(name, new GroupMetadata.Protection(peerName, mode));
        try {
            start(updated, peer, mode);
        } catch (IOException e) {
            throw new VolumeException(Reason.STORAGE, "group " + name + ": cannot start shipping: " + e.getMessage(), e);
        }
        return updated;
    }

    public synchronized Optional<GroupShipper> shipper(String group) {
        return Optional.ofNullable(shippers.get(group));
    }

    /** Stops shipping to a revoked peer (the groups stay marked protected; pair again and restart to resume). */
    public synchronized void stopPeer(Peer peer) {
        shippers.entrySet().removeIf(e -> {
            if (!e.getValue().peer().name().equals(peer.name())) {
                return false;
            }
            LOG.warn("group {}: peer {} revoked, shipping stopped", e.getKey(), peer.name());
            e.getValue().close();
            return true;
        });
    }

    public synchronized int count() {
        return shippers.size();
    }

    private void start(GroupMetadata g, Peer peer, String mode) throws IOException {
        ConsistencyGroup journal = groups.journal(g.name()).orElseThrow(() -> new IOException("group " + g.name()
                + ": journal not open (volumes " + g.volumeNames() + " not served)"));
        GroupShipper shipper = new GroupShipper(journal, descriptor(g, journal), dataKey(g.name()), peer, connector,
                shipSettings(mode), registry);
        shipper.start();
        shippers.put(g.name(), shipper);
    }

    private GroupDescriptor descriptor(GroupMetadata g, ConsistencyGroup journal) {
        List<VolumeDescriptor> members = g.volumes().stream()
                .map(m -> new VolumeDescriptor(m.id(), m.name(), volumes.get(m.name()).sizeBytes(),
                        JournaledUnit.LOGICAL_BLOCK_SIZE))
                .toList();
        return new GroupDescriptor(g.name(), g.groupId(), journal.epoch(), members);
    }

    private ShipSettings shipSettings(String mode) {
        return new ShipSettings(settings.bandwidthLimit(), settings.batchDelay(), settings.batchBytes(),
                Compression.parse(settings.compression()), settings.syncTimeout(), mode);
    }

    /** The group's data key, generated and stored (mode 600) on first use. */
    private DataKey dataKey(String group) throws IOException {
        Path file = groups.files(group).key();
        if (Files.exists(file)) {
            return DataKey.of(Files.readAllBytes(file));
        }
        DataKey key = DataKey.generate();
        DurableFiles.writeSecret(file, key.bytes());
        LOG.info("group {}: data key generated in {}", group, file);
        return key;
    }

    private void checkOpen() {
        if (closed) {
            throw new VolumeException(Reason.CONFLICT, "the appliance is shutting down");
        }
    }

    /** Stops every shipper (their journal consumers stay registered: retention keeps what the peers lack). */
    @Override
    public synchronized void close() {
        closed = true;
        shippers.values().forEach(GroupShipper::close);
        shippers.clear();
    }
}
