package io.tidemark.journal;

import io.tidemark.nativeio.AlignedBuffers;
import java.nio.ByteBuffer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads a group's journal in order, validating every record (structure and CRC). Crash
 * recovery replays through it; tests check the journal with it; the replication shipper will
 * tail with it. Not thread-safe: one reader per thread (it owns a Chronicle tailer).
 */
public final class JournalReader implements AutoCloseable {

    /** What {@link #next()} found. */
    public enum Step { RECORD, INVALID, END }

    private final ExcerptTailer tailer;
    private final JournalRecord record = new JournalRecord();
    private ByteBuffer scratch = AlignedBuffers.allocate(64 * 1024);
    private long index = -1;
    private int cycle;
    private long contentPosition = -1;
    private int contentLength;
    private String problem;

    JournalReader(SingleChronicleQueue queue) {
        this.tailer = queue.createTailer();
    }

    /** Positions before the record at {@code journalIndex}; false when that index does not exist. */
    public boolean moveTo(long journalIndex) {
        return tailer.moveToIndex(journalIndex);
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
            in.read(target);
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
