package io.tidemark.appliance.volume;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.lun.JournaledUnit;
import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.journal.DurabilityMode;
import io.tidemark.journal.GroupConfig;
import java.io.IOException;

/**
 * Volumes as journaled units: each volume is the only member of its own consistency group,
 * journal in {@code NAME.journal/}, store on the journal module's {@code FileStore} (O_DIRECT
 * where the file system allows it). Opening recovers the journal tail into the store. Thread-safe.
 */
public final class JournaledStorage implements VolumeStorage {

    private final boolean directIo;
    private final ApplianceConfig.Journal settings;
    private final MeterRegistry registry;

    /**
     * @param directIo {@code store.direct-io}
     * @param settings the {@code journal.*} and {@code volume.NAME.durability} keys
     * @param registry where each group's meters go (removed again when the volume closes)
     */
    public JournaledStorage(boolean directIo, ApplianceConfig.Journal settings, MeterRegistry registry) {
        this.directIo = directIo;
        this.settings = settings;
        this.registry = registry;
    }

    @Override
    public OpenVolume open(VolumeFiles files, VolumeMetadata meta) throws IOException {
        if (meta.groupId() == 0) {
            throw new IllegalArgumentException("volume " + meta.name() + ": group id 0 (expected: one assigned by the catalog)");
        }
        DurabilityMode durability = settings.durabilityOf(meta.name());
        GroupConfig config = GroupConfig.defaults(meta.name(), meta.groupId(), files.journal())
                .withDurability(durability)
                .withSyncInterval(settings.syncInterval())
                .withCheckpointInterval(settings.checkpointInterval())
                .withRetention(settings.rollPeriod(), settings.retention(), settings.sizeCap())
                .withRing(settings.ringSize(), settings.waitStrategy());
        JournaledUnit unit = JournaledUnit.openFile(files.image(), files.reservations(), directIo, config, registry);
        long actual = unit.blockCount() * unit.blockSize();
        if (actual != meta.sizeBytes()) {
            unit.close();
            throw new IOException("image " + files.image() + " holds " + actual + " bytes (expected: "
                    + meta.sizeBytes() + ", as its metadata says)");
        }
        String journalDir = files.journal().toAbsolutePath().toString();
        return new OpenVolume() {
            @Override
            public LogicalUnit unit() {
                return unit;
            }

            @Override
            public JournalStatus journal() {
                return JournalStatus.of(meta.groupId(), durability, unit.group(), journalDir);
            }

            @Override
            public void grow(long newSizeBytes) throws IOException {
                unit.grow(newSizeBytes);
            }

            @Override
            public void close() throws IOException {
                unit.close();
            }
        };
    }
}
