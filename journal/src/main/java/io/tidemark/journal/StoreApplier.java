package io.tidemark.journal;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;
import java.io.IOException;

/**
 * Ring stage 2: applies each journaled record to its volume's store (pwrite through the
 * {@code BlockDevice}), in ring order; answers the command unless the appender already did
 * ({@link Completion}: a read issued on that answer waits the few instructions until the next
 * step), releases the event, and advances the applied sequence that reads and COMPARE AND WRITE
 * wait on. Not thread-safe: runs on its ring thread only.
 */
final class StoreApplier implements EventHandler<WriteEvent> {

    private final VolumeSlot[] volumes;
    private final AppliedSequence applied;
    private final GroupHealth health;
    private final Completion completion;
    private final RecordApplier applier = new RecordApplier();
    private Sequence sequenceCallback;

    StoreApplier(VolumeSlot[] volumes, AppliedSequence applied, GroupHealth health, Completion completion) {
        this.volumes = volumes;
        this.applied = applied;
        this.health = health;
        this.completion = completion;
    }

    @Override
    public void setSequenceCallback(Sequence sequenceCallback) {
        this.sequenceCallback = sequenceCallback;
    }

    @Override
    public void onEvent(WriteEvent event, long ringSequence, boolean endOfBatch) {
        if (event.failure == null && event.type.changesBlocks()) {
            VolumeSlot volume = VolumeSlot.find(volumes, event.volumeId);
            try {
                applier.apply(volume.store, event.type, event.mismatchOffset >= 0, event.lba, event.blockCount,
                        event.payload);
            } catch (IOException | RuntimeException e) {
                health.fail("store write of seq " + event.sequence + " to volume " + volume.name, e);
                event.failure = health.failure();
            }
        }
        long sequence = event.sequence;
        long index = event.journalIndex;
        completion.complete(event);
        event.payload = null;
        event.compare = null;
        // the slot goes back to the producers here: nothing may touch the event after this line
        sequenceCallback.set(ringSequence);
        // after the slot is free: whoever waited for the apply sees an empty ring
        applied.advance(sequence, index);
    }
}
