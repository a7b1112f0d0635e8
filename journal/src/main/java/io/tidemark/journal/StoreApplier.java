package io.tidemark.journal;

import com.lmax.disruptor.EventHandler;
import java.io.IOException;

/**
 * Ring stage 2: applies each journaled record to its volume's store (pwrite through the
 * {@code BlockDevice}), in ring order, then advances the applied sequence that reads and
 * COMPARE AND WRITE wait on. Not thread-safe: runs on its ring thread only.
 */
final class StoreApplier implements EventHandler<WriteEvent> {

    private final VolumeSlot[] volumes;
    private final AppliedSequence applied;
    private final GroupHealth health;
    private final RecordApplier applier = new RecordApplier();

    StoreApplier(VolumeSlot[] volumes, AppliedSequence applied, GroupHealth health) {
        this.volumes = volumes;
        this.applied = applied;
        this.health = health;
    }

    @Override
    public void onEvent(WriteEvent event, long ringSequence, boolean endOfBatch) {
        if (event.failure == null) {
            VolumeSlot volume = VolumeSlot.find(volumes, event.volumeId);
            try {
                applier.apply(volume.store, event.type, event.mismatchOffset >= 0, event.lba, event.blockCount,
                        event.payload);
            } catch (IOException | RuntimeException e) {
                health.fail("store write of seq " + event.sequence + " to volume " + volume.name, e);
                event.failure = health.failure();
            }
        }
        applied.advance(event.sequence, event.journalIndex);
    }
}
