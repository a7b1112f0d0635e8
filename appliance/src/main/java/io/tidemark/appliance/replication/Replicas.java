package io.tidemark.appliance.replication;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.appliance.api.ApiException;
import io.tidemark.appliance.api.GroupView;
import io.tidemark.appliance.api.PointView;
import io.tidemark.appliance.api.ViewInfo;
import io.tidemark.appliance.config.Names;
import io.tidemark.appliance.group.DurableFiles;
import io.tidemark.appliance.volume.VolumeException;
import io.tidemark.appliance.volume.VolumeException.Reason;
import io.tidemark.replicator.dr.DrHistory;
import io.tidemark.replicator.dr.DrSettings;
import io.tidemark.replicator.dr.HistoryStatus;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.seal.DataKey;
import io.tidemark.replicator.ship.GroupDescriptor;
import io.tidemark.replicator.ship.ReplicaDirectory;
import io.tidemark.replicator.ship.ReplicaSink;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DR side: the history of every group replicated to this appliance, under
 * {@code replicas/GROUP/} ({@code replica.json}, the data key {@code data.key} (mode 600) and
 * the {@link DrHistory} in {@code history/}), reopened at start; the receiver opens them
 * through {@link ReplicaDirectory}. Point-in-time views of them live in {@link Views}.
 * Thread-safe.
 */
public final class Replicas implements ReplicaDirectory, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Replicas.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String RECORD_FILE = "replica.json";
    private static final String KEY_FILE = "data.key";
    private static final String HISTORY_DIR = "history";

    /** One open replica. */
    record Replica(ReplicaRecord record, DataKey key, DrHistory history) {}

    private final Path dir;
    private final DrSettings settings;
    private final MeterRegistry registry;
    private final Predicate<String> primaryGroup;
    private final Map<String, Replica> replicas = new TreeMap<>();
    private Views views;
    private boolean closed;

    private Replicas(Path dir, DrSettings settings, MeterRegistry registry, Predicate<String> primaryGroup) {
        this.dir = dir;
        this.settings = settings;
        this.registry = registry;
        this.primaryGroup = primaryGroup;
    }

    /**
     * Reopens every replica in {@code dir} (created if missing).
     *
     * @param primaryGroup whether a name is taken by a group served here (no replica may take it)
     */
    public static Replicas open(Path dir, DrSettings settings, MeterRegistry registry, Predicate<String> primaryGroup)
            throws IOException {
        Files.createDirectories(dir);
        Replicas r = new Replicas(dir, settings, registry, primaryGroup);
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            entries.forEach(found::add);
        }
        found.sort(null);
        try {
            for (Path group : found) {
                Path file = group.resolve(RECORD_FILE);
                if (!Files.exists(file)) {
                    LOG.warn("replica directory {} has no {}: skipped (left over from an interrupted first PROTECT)",
                            group, RECORD_FILE);
                    continue;
                }
                ReplicaRecord rec;
                try {
                    rec = JSON.readValue(file.toFile(), ReplicaRecord.class);
                } catch (IOException e) {
                    throw new IOException("replica metadata " + file + " is unreadable: " + e.getMessage(), e);
                }
                DataKey key = DataKey.of(Files.readAllBytes(group.resolve(KEY_FILE)));
                DrHistory history = DrHistory.open(group.resolve(HISTORY_DIR), rec.group(), key, settings, registry);
                r.replicas.put(rec.group().name(), new Replica(rec, key, history));
                HistoryStatus s = history.status();
                LOG.info("replica {} from peer {} reopened: seq {}..{}, sync {}", rec.group().name(), rec.peer(),
                        s.oldestSequence(), s.newestSequence(), s.sync());
            }
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /** The views of these replicas (set once by the appliance). */
    synchronized void attach(Views v) {
        this.views = v;
    }

    /**
     * The history of group {@code desc.name()} from {@code from}: reopened when it exists (same
     * peer, same key), created on the first PROTECT.
     */
    @Override
    public synchronized ReplicaSink open(Peer from, GroupDescriptor desc, DataKey key) throws IOException {
        if (closed) {
            throw new IOException("the appliance is shutting down");
        }
        String name = desc.name();
        if (!Names.validVolumeName(name)) {
            throw new IOException("group name " + name + " from peer " + from.name() + " (expected: "
                    + Names.VOLUME_EXPECTED + ")");
        }
        Replica existing = replicas.get(name);
        if (existing != null) {
            ReplicaRecord rec = existing.record();
            if (!rec.fingerprint().equals(from.fingerprint())) {
                throw new IOException("group " + name + " is replicated here from peer " + rec.peer()
                        + ", not from " + from.name() + " (expected: one primary per group)");
            }
            if (!MessageDigest.isEqual(existing.key().bytes(), key.bytes())) {
                throw new IOException("group " + name + " from peer " + from.name() + ": data key differs from the one"
                        + " its history was protected with (expected: the same key)");
            }
            if (!rec.group().equals(desc)) {
                ReplicaRecord updated = rec.withGroup(desc);
                write(updated);
                replicas.put(name, new Replica(updated, existing.key(), existing.history()));
            }
            return existing.history();
        }
        if (primaryGroup.test(name)) {
            throw new IOException("group " + name + " from peer " + from.name() + ": a group of that name is served"
                    + " here as a primary (expected: distinct group names on the two appliances)");
        }
        Path groupDir = dir.resolve(name);
        Files.createDirectories(groupDir);
        DurableFiles.writeSecret(groupDir.resolve(KEY_FILE), key.bytes());
        ReplicaRecord rec = new ReplicaRecord(ReplicaRecord.CURRENT_VERSION, desc, from.name(), from.fingerprint(),
                Instant.now().toString());
        DrHistory history = DrHistory.open(groupDir.resolve(HISTORY_DIR), desc, key, settings, registry);
        try {
            write(rec); // last: a directory without it is skipped at the next start
        } catch (IOException | RuntimeException e) {
            history.close();
            throw e;
        }
        replicas.put(name, new Replica(rec, key, history));
        LOG.info("replica {} created for peer {}: {} volume(s), history in {}", name, from.name(),
                desc.volumes().size(), groupDir.resolve(HISTORY_DIR));
        return history;
    }

    public synchronized boolean contains(String name) {
        return replicas.containsKey(name);
    }

    public synchronized int count() {
        return replicas.size();
    }

    /** Replica NAME, or 404 naming it. */
    synchronized Replica replica(String name) {
        Replica r = replicas.get(name);
        if (r == null) {
            throw new VolumeException(Reason.NOT_FOUND, "no replica named " + name + " on this appliance");
        }
        return r;
    }

    /** Every replica as the API shows groups, by name. */
    public synchronized List<GroupView> groupViews() {
        return replicas.keySet().stream().map(this::groupView).toList();
    }

    /** Replica NAME as the API shows groups: sync state, DR window, pinned views. */
    public synchronized GroupView groupView(String name) {
        Replica r = replica(name);
        HistoryStatus s = r.history().status();
        GroupDescriptor d = r.record().group();
        GroupView.Sync sync = s.syncTotalBytes() <= 0 ? null : new GroupView.Sync(s.syncDoneBytes(), s.syncTotalBytes(),
                Math.round(Math.min(1.0, (double) s.syncDoneBytes() / s.syncTotalBytes()) * 1000) / 10.0, null);
        GroupView.Window window = s.oldestSequence() < 0 ? null : new GroupView.Window(
                new GroupView.Point(s.oldestSequence(), time(s.oldestTime())),
                new GroupView.Point(s.newestSequence(), time(s.newestTime())));
        String state = switch (s.sync()) {
            case WAITING -> "waiting";
            case SYNCING -> "syncing";
            case COMPLETE -> "protected";
        };
        return new GroupView(name, "replica", state, d.volumes().stream().map(v -> v.name()).toList(),
                r.record().peer(), null, sync, null, window, s.pinnedViews(),
                new GroupView.Sequence(null, s.newestSequence(), null, null));
    }

    public List<PointView> points(String group, Instant from, Instant to) {
        DrHistory history = replica(group).history();
        return history.points(from, to).stream()
                .map(p -> new PointView(p.sequence(), p.time().toString(), p.name()))
                .toList();
    }

    public ViewInfo export(String group, Instant at, String checkpoint, Long seq) {
        return pitViews().export(group, at, checkpoint, seq);
    }

    public List<ViewInfo> viewList() {
        Views v;
        synchronized (this) {
            v = views;
        }
        return v == null ? List.of() : v.list();
    }

    public void release(String view) {
        pitViews().release(view);
    }

    private synchronized Views pitViews() {
        if (views == null) {
            throw new ApiException(503, "point-in-time views are not available on this appliance");
        }
        return views;
    }

    private void write(ReplicaRecord rec) throws IOException {
        DurableFiles.write(dir.resolve(rec.group().name()).resolve(RECORD_FILE), JSON.writeValueAsBytes(rec));
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    /** Releases every view, then closes every history. */
    @Override
    public void close() {
        Views v;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            v = views;
        }
        if (v != null) {
            v.close();
        }
        synchronized (this) {
            for (Replica r : replicas.values()) {
                try {
                    r.history().close();
                } catch (IOException | RuntimeException e) {
                    LOG.error("replica {}: close failed: {}", r.record().group().name(), e.getMessage());
                }
            }
            replicas.clear();
        }
    }
}
