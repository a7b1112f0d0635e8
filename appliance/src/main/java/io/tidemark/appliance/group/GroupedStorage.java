package io.tidemark.appliance.group;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.lun.JournaledUnit;
import io.tidemark.appliance.volume.JournalStatus;
import io.tidemark.appliance.volume.VolumeFiles;
import io.tidemark.appliance.volume.VolumeMetadata;
import io.tidemark.appliance.volume.VolumeStorage;
import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.journal.DurabilityMode;
import io.tidemark.journal.GroupConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volume storage aware of consistency groups: a volume alone gets its own journal from
 * {@code alone}; a member of a group is served by a unit over the group's shared journal
 * ({@code groups/GROUP.journal/}), opened with all its members when the first of them opens.
 * Thread-safe.
 */
public final class GroupedStorage implements VolumeStorage, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupedStorage.class);

    private final VolumeStorage alone;
    private final Path groupsDir;
    private final boolean directIo;
    private final ApplianceConfig.Journal settings;
    private final MeterRegistry registry;
    /** Group of each grouped volume, by volume name. */
    private final Map<String, GroupMetadata> byVolume = new HashMap<>();
    private final Map<String, SharedGroup> open = new HashMap<>();

    public GroupedStorage(VolumeStorage alone, Path groupsDir, boolean directIo, ApplianceConfig.Journal settings,
                          MeterRegistry registry) {
        this.alone = alone;
        this.groupsDir = groupsDir;
        this.directIo = directIo;
        this.settings = settings;
        this.registry = registry;
    }

    /** From now on the volumes of {@code group} open over its shared journal (call once it is persisted). */
    public synchronized void join(GroupMetadata group) {
        for (String v : group.volumeNames()) {
            GroupMetadata other = byVolume.get(v);
            if (other != null && !other.name().equals(group.name())) {
                throw new IllegalStateException("volume " + v + " is in group " + other.name() + " and "
                        + group.name() + " (expected: one group at most)");
            }
        }
        group.volumeNames().forEach(v -> byVolume.put(v, group));
    }

    /** Forgets {@code group}'s membership (its volumes must be closed). */
    public synchronized void leave(String group) {
        byVolume.values().removeIf(g -> g.name().equals(group));
    }

    @Override
    public synchronized Optional<String> groupOf(String volume) {
        return Optional.ofNullable(byVolume.get(volume)).map(GroupMetadata::name);
    }

    /** The open journal of group NAME (open once any member is served). */
    public synchronized Optional<ConsistencyGroup> group(String name) {
        return Optional.ofNullable(open.get(name)).map(SharedGroup::group);
    }

    @Override
    public synchronized OpenVolume open(VolumeFiles files, VolumeMetadata meta) throws IOException {
        GroupMetadata g = byVolume.get(meta.name());
        if (g == null) {
            return alone.open(files, meta);
        }
        SharedGroup shared = open.get(g.name());
        if (shared == null) {
            shared = SharedGroup.open(g, files.dir(), groupConfig(g), directIo, registry);
            open.put(g.name(), shared);
            LOG.info("group {}: shared journal opened for volumes {} at seq {}", g.name(), g.volumeNames(),
                    shared.group().appendedSequence());
        }
        JournaledUnit unit = shared.acquire(meta.name());
        long actual = unit.blockCount() * unit.blockSize();
        if (actual != meta.sizeBytes()) {
            release(g.name(), meta.name());
            throw new IOException("image " + files.image() + " holds " + actual + " bytes (expected: "
                    + meta.sizeBytes() + ", as its metadata says)");
        }
        return new Member(g, meta.name(), unit, durability(g));
    }

    /** Closes groups whose members were not all released (e.g. a member's metadata went missing). */
    @Override
    public synchronized void close() {
        for (SharedGroup g : open.values()) {
            try {
                g.close();
            } catch (IOException | RuntimeException e) {
                LOG.error("group {}: close failed: {}", g.metadata().name(), e.getMessage());
            }
        }
        open.clear();
    }

    private synchronized void release(String group, String volume) throws IOException {
        SharedGroup shared = open.get(group);
        if (shared != null && shared.release(volume)) {
            open.remove(group);
            LOG.info("group {}: shared journal closed", group);
        }
    }

    private GroupConfig groupConfig(GroupMetadata g) {
        return GroupConfig.defaults(g.name(), g.groupId(), new GroupFiles(groupsDir, g.name()).journal())
                .withDurability(durability(g))
                .withSyncInterval(settings.syncInterval())
                .withCheckpointInterval(settings.checkpointInterval())
                .withRetention(settings.rollPeriod(), settings.retention(), settings.sizeCap())
                .withRing(settings.ringSize(), settings.waitStrategy());
    }

    /** One journal, one durability: write-through when any member asks for it. */
    private DurabilityMode durability(GroupMetadata g) {
        List<DurabilityMode> modes = g.volumeNames().stream().map(settings::durabilityOf).toList();
        return modes.contains(DurabilityMode.WRITE_THROUGH) ? DurabilityMode.WRITE_THROUGH : DurabilityMode.WRITE_BACK;
    }

    /** A member volume as the catalog sees it. */
    private final class Member implements OpenVolume {
        private final GroupMetadata group;
        private final String volume;
        private final JournaledUnit unit;
        private final DurabilityMode durability;
        private boolean closed;

        Member(GroupMetadata group, String volume, JournaledUnit unit, DurabilityMode durability) {
            this.group = group;
            this.volume = volume;
            this.unit = unit;
            this.durability = durability;
        }

        @Override
        public LogicalUnit unit() {
            return unit;
        }

        @Override
        public JournalStatus journal() {
            return JournalStatus.of(group.groupId(), durability, unit.group(),
                    new GroupFiles(groupsDir, group.name()).journal().toAbsolutePath().toString());
        }

        @Override
        public void grow(long newSizeBytes) throws IOException {
            unit.grow(newSizeBytes);
        }

        @Override
        public void close() throws IOException {
            synchronized (GroupedStorage.this) {
                if (closed) {
                    return;
                }
                closed = true;
                release(group.name(), volume);
            }
        }
    }
}
