package io.tidemark.journal;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash recovery of a group: reads the journal from the checkpoint on and applies every record
 * whose sequence is past the checkpoint to its store, in order. Re-applying a record the store
 * already holds changes nothing, so replay is idempotent. A torn or corrupt record (bad CRC or
 * structure: how a write cut short by a crash looks) is reported in one log line, cut off and
 * never applied; whether it cost an acknowledged write shows in the sequence numbers around it
 * (a gap is logged as an error). Not thread-safe: runs once, before the ring starts.
 */
final class JournalReplay {

    private static final Logger LOG = LoggerFactory.getLogger(JournalReplay.class);

    /** What recovery found: the last valid record, and what it did. */
    record Result(long lastSequence, long lastIndex, long lastEpoch, long replayed, long invalid,
                  TornTailRepair.Tail tail) {}

    private JournalReplay() {
    }

    static Result run(String group, JournalReader reader, Checkpoint checkpoint, VolumeSlot[] volumes,
                      JournalMetrics metrics) throws IOException {
        if (checkpoint.journalIndex() >= 0 && !reader.moveTo(checkpoint.journalIndex())) {
            // its cycle was trimmed once every record in it was checkpointed: nothing there is needed
            LOG.info("group {}: checkpoint index {} is no longer in the journal; reading from the oldest record", group,
                    Long.toHexString(checkpoint.journalIndex()));
        }
        RecordApplier applier = new RecordApplier();
        long lastSequence = checkpoint.sequence();
        long lastIndex = checkpoint.journalIndex();
        long lastEpoch = checkpoint.epoch();
        long replayed = 0;
        long invalid = 0;
        long pendingInvalidIndex = -1;
        int validCycle = Integer.MIN_VALUE;
        long validHeader = -1;
        long validEnd = -1;
        int invalidCycle = Integer.MIN_VALUE;
        long invalidHeader = -1;
        String pendingProblem = null;
        JournalReader.Step step;
        while ((step = reader.next()) != JournalReader.Step.END) {
            if (step == JournalReader.Step.INVALID) {
                invalid++;
                metrics.corruptRecord();
                LOG.warn("group {}: journal record at index {} is torn or corrupt ({}); cut off, not applied", group,
                        Long.toHexString(reader.index()), reader.problem());
                if (pendingInvalidIndex < 0) {
                    invalidCycle = reader.cycle();
                    invalidHeader = reader.headerPosition();
                }
                pendingInvalidIndex = reader.index();
                pendingProblem = reader.problem();
                continue;
            }
            JournalRecord record = reader.record();
            long sequence = record.sequence();
            if (pendingInvalidIndex >= 0 && sequence > lastSequence + 1) {
                LOG.error("group {}: records {}..{} are missing around the corrupt record at index {} ({})", group,
                        lastSequence + 1, sequence - 1, Long.toHexString(pendingInvalidIndex), pendingProblem);
            }
            pendingInvalidIndex = -1;
            invalidCycle = Integer.MIN_VALUE;
            invalidHeader = -1;
            validCycle = reader.cycle();
            validHeader = reader.headerPosition();
            validEnd = reader.endPosition();
            lastEpoch = Math.max(lastEpoch, record.epoch());
            if (sequence <= lastSequence) {
                continue; // already in the store as of the checkpoint
            }
            VolumeSlot volume = VolumeSlot.find(volumes, record.volumeId());
            if (volume == null) {
                if (record.type() != RecordType.METADATA) {
                    LOG.warn("group {}: record seq {} names volume {}, not in the group; skipped", group, sequence,
                            record.volumeId());
                }
            } else {
                record.checkPayloadFor(volume.store.blockSize());
                applier.apply(volume.store, record.type(), record.miscompare(), record.lba(), record.blockCount(),
                        record.payload());
                replayed++;
            }
            lastSequence = sequence;
            lastIndex = reader.index();
        }
        return new Result(lastSequence, lastIndex, lastEpoch, replayed, invalid,
                new TornTailRepair.Tail(validCycle, validHeader, validEnd, invalidCycle, invalidHeader));
    }
}
