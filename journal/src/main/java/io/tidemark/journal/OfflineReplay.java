package io.tidemark.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

/**
 * Replays a group's whole journal (every valid record, from the oldest kept) into stores the
 * caller provides, with no group running: crash tests compare the result with the volume the
 * appliance recovered ("the store equals a replay of the journal"). Read-only on the journal.
 */
public final class OfflineReplay {

    /** What was replayed: the last valid sequence and how many records were invalid (torn or corrupt). */
    public record Result(long lastSequence, long records, long invalid) {}

    private OfflineReplay() {
    }

    /**
     * Applies every valid record in {@code journalDirectory} (cycle length {@code rollPeriod}) to
     * the store of its volume in {@code volumes}, in order. Start from fresh (zeroed) stores to
     * get the journal's view of the volumes; keep the journal's full history (a long
     * {@code journal.retention}) or the result lacks what was trimmed.
     */
    public static Result replayAll(Path journalDirectory, Duration rollPeriod, List<GroupVolume> volumes)
            throws IOException {
        VolumeSlot[] slots = new VolumeSlot[volumes.size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new VolumeSlot(i, volumes.get(i));
        }
        RecordApplier applier = new RecordApplier();
        long last = 0;
        long records = 0;
        long invalid = 0;
        try (SingleChronicleQueue queue = JournalQueues.open(journalDirectory, rollPeriod, Clock.systemUTC());
             JournalReader reader = new JournalReader(queue)) {
            JournalReader.Step step;
            while ((step = reader.next()) != JournalReader.Step.END) {
                if (step == JournalReader.Step.INVALID) {
                    invalid++;
                    continue;
                }
                JournalRecord r = reader.record();
                VolumeSlot slot = VolumeSlot.find(slots, r.volumeId());
                if (slot != null) {
                    r.checkPayloadFor(slot.store.blockSize());
                    applier.apply(slot.store, r.type(), r.miscompare(), r.lba(), r.blockCount(), r.payload());
                }
                last = r.sequence();
                records++;
            }
        }
        for (VolumeSlot slot : slots) {
            slot.store.flush();
        }
        return new Result(last, records, invalid);
    }
}
