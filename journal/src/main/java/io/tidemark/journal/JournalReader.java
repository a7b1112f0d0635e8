package io.tidemark.journal;

import io.tidemark.nativeio.AlignedBuffers;
import java.nio.ByteBuffer;
import java.util.NavigableSet;
import java.util.function.LongSupplier;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads a group's journal in order, validating every record (structure and CRC). Crash
 * recovery replays through it; tests check the journal with it; the replication shipper
 * tails it ({@link #seekAfter} to resume). Not thread-safe: one reader per thread (it owns a
 * Chronicle tailer).
 */
public final class JournalReader implements AutoCloseable {

    /** What {@link #next()} found. */
    public enum Step { RECORD, INVALID, END }

    /** No record at or after a probed index within its cycle. */
    private static final long ABSENT = Long.MAX_VALUE;

    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    /** The group's last appended sequence (a reader without a group: unknown, Long.MAX_VALUE). */
    private final LongSupplier lastSequence;
    private final JournalRecord record = new JournalRecord();
    private ByteBuffer scratch = AlignedBuffers.allocate(64 * 1024);
    private long index = -1;
    private int cycle;
    private long contentPosition = -1;
    private int contentLength;
    private String problem;

    JournalReader(SingleChronicleQueue queue) {
        this(queue, () -> Long.MAX_VALUE);
    }

    JournalReader(SingleChronicleQueue queue, LongSupplier lastSequence) {
        this.queue = queue;
        this.tailer = queue.createTailer();
        this.lastSequence = lastSequence;
    }

    /** Positions before the record at {@code journalIndex}; false when that index does not exist. */
    public boolean moveTo(long journalIndex) {
        return tailer.moveToIndex(journalIndex);
    }

    /**
     * Positions the reader so that {@link #next()} returns the first record whose sequence is
     * greater than {@code sequence} (or {@link Step#END} until it is appended). A binary search
     * over the Chronicle indexes of the cycle that holds it: a few index look-ups, no scan.
     *
     * @return false when the record right after {@code sequence} is no longer in the journal
     *         (trimmed: the consumer must resync), or {@code sequence} is past the group's last
     *         appended sequence (the consumer has records this journal never had)
     */
    public boolean seekAfter(long sequence) {
        if (sequence > lastSequence.getAsLong()) {
            return false;
        }
        int first = queue.firstCycle();
        int last = queue.lastCycle();
        if (first == Integer.MAX_VALUE || last == Integer.MIN_VALUE) {
            tailer.toEnd();
            long known = lastSequence.getAsLong();
            return known == Long.MAX_VALUE || sequence >= known;
        }
        NavigableSet<Long> cycles = queue.listCyclesBetween(first, last);
        RollCycle roll = queue.rollCycle();
        Long next = null;
        for (Long c : cycles.descendingSet()) {
            int cycle = c.intValue();
            long firstSequence = probe(roll, cycle, 0);
            if (firstSequence == ABSENT) {
                continue;
            }
            if (firstSequence > sequence + 1) {
                next = c;
                continue;
            }
            return positionWithin(roll, cycle, firstSequence, sequence, next);
        }
        // every record kept starts past the one wanted, or the journal holds none
        if (next == null) {
            tailer.toEnd();
            long known = lastSequence.getAsLong();
            return known == Long.MAX_VALUE || sequence >= known;
        }
        return false;
    }

    /** Positions at the first record past {@code sequence} in {@code cycle} (which starts at or before it). */
    private boolean positionWithin(RollCycle roll, int cycle, long firstSequence, long sequence, Long laterCycle) {
        // sequences are contiguous, so the guess is exact unless a corrupt record sits in between
        long guess = sequence + 1 - firstSequence;
        long at;
        if (guess == 0 || (probe(roll, cycle, guess - 1) <= sequence && probe(roll, cycle, guess) > sequence)) {
            at = guess;
        } else {
            at = firstPast(roll, cycle, sequence);
        }
        if (probe(roll, cycle, at) != ABSENT) {
            return tailer.moveToIndex(roll.toIndex(cycle, at));
        }
        if (laterCycle != null && tailer.moveToIndex(roll.toIndex(laterCycle.intValue(), 0))) {
            return true;
        }
        // the wanted record is not written yet: stand right after the last one of this cycle
        if (!tailer.moveToIndex(roll.toIndex(cycle, at - 1))) {
            return false;
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            return dc.isPresent();
        }
    }

    /** Smallest position in {@code cycle} holding no record or one past {@code sequence} (position 0 does not). */
    private long firstPast(RollCycle roll, int cycle, long sequence) {
        long low = 0;
        long high = 1;
        while (probe(roll, cycle, high) <= sequence) {
            low = high;
            high *= 2;
        }
        // invariant: probe(low) <= sequence < probe(high)
        while (high - low > 1) {
            long mid = (low + high) >>> 1;
            if (probe(roll, cycle, mid) <= sequence) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return high;
    }

    /** Sequence of the first valid record at position {@code n} of {@code cycle} or after it in that cycle, or ABSENT. */
    private long probe(RollCycle roll, int cycle, long n) {
        if (n < 0 || n > roll.maxMessagesPerCycle() || !tailer.moveToIndex(roll.toIndex(cycle, n))) {
            return ABSENT;
        }
        while (true) {
            Step step = next();
            if (step == Step.END || this.cycle != cycle) {
                return ABSENT;
            }
            if (step == Step.RECORD) {
                return record.sequence();
            }
        }
    }

    /**
     * Reads the next document: a valid record ({@link #record()}), an invalid one ({@link #problem()}
     * says why), or the end of what is written so far.
     */
    public Step next() {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return Step.END;
            }
            index = dc.index();
            cycle = tailer.cycle();
            Bytes<?> in = dc.wire().bytes();
            long remaining = in.readRemaining();
            contentPosition = in.readPosition();
            contentLength = (int) Math.min(Integer.MAX_VALUE, remaining);
            if (remaining > JournalRecordDescriptor.recordLength(JournalRecordDescriptor.MAX_PAYLOAD_LENGTH)) {
                problem = "record length: " + remaining + " (expected: <= "
                        + JournalRecordDescriptor.recordLength(JournalRecordDescriptor.MAX_PAYLOAD_LENGTH) + ")";
                return Step.INVALID;
            }
            int length = (int) remaining;
            if (scratch.capacity() < length) {
                scratch = AlignedBuffers.allocate(Math.max(length, scratch.capacity() * 2));
            }
            ByteBuffer target = scratch.clear().limit(length);
            copy(in, target);
            if (target.position() != length) {
                problem = "document at index " + index + ": read " + target.position() + " of " + length + " bytes";
                return Step.INVALID;
            }
            try {
                record.wrap(scratch, 0, length);
                return Step.RECORD;
            } catch (InvalidRecordException e) {
                problem = e.getMessage();
                return Step.INVALID;
            }
        }
    }

    /** Copies the document into {@code target} (direct, at position 0) in one block copy out of the mapping. */
    private static void copy(Bytes<?> in, ByteBuffer target) {
        // Chronicle's read(ByteBuffer) copies byte by byte: 10% of the store applier's CPU in a profile
        int length = target.remaining();
        in.nativeRead(in.readPosition(), AlignedBuffers.address(target), length);
        target.position(length);
    }

    /** The record {@link #next()} returned, valid until the next call. */
    public JournalRecord record() {
        return record;
    }

    /** Chronicle index of the document {@link #next()} read last. */
    public long index() {
        return index;
    }

    /** Cycle of the document {@link #next()} read last. */
    public int cycle() {
        return cycle;
    }

    /** File offset of the 4-byte Chronicle header of the document read last. */
    long headerPosition() {
        return contentPosition - 4;
    }

    /** File offset just past the document read last (where the next header starts). */
    long endPosition() {
        return contentPosition + contentLength;
    }

    /** Why the last document was {@link Step#INVALID}. */
    public String problem() {
        return problem;
    }

    @Override
    public void close() {
        tailer.close();
    }
}
