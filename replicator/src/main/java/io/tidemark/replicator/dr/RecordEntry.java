package io.tidemark.replicator.dr;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Where one received record is, in the "records" column family: key = sequence (8 bytes
 * big-endian), value (big-endian):
 * <pre>
 *  +---------------------------------------------------------------+
 *  |               DR journal (Chronicle) index (64)               |  0
 *  +---------------------------------------------------------------+
 *  |          Timestamp (64, microseconds, primary clock)          |  8
 *  +---------------------------------------------------------------+
 *  |                  Sealed record length (32)                    | 16
 *  +---------------------------------------------------------------+
 *  |       File offset of the record in its cycle file (64)        | 20
 *  +---------------------------------------------------------------+
 * </pre>
 * It gives a view the time of any sequence, and retention the record's place and size.
 */
record RecordEntry(long sequence, long journalIndex, long timestampMicros, int length, long filePosition) {

    static final int JOURNAL_INDEX_OFFSET = 0;
    static final int TIMESTAMP_OFFSET = 8;
    static final int LENGTH_OFFSET = 16;
    static final int FILE_POSITION_OFFSET = 20;
    static final int VALUE_LENGTH = 28;

    static byte[] key(long sequence) {
        return Mark.key(sequence);
    }

    byte[] value() {
        return ByteBuffer.allocate(VALUE_LENGTH).order(ByteOrder.BIG_ENDIAN).putLong(JOURNAL_INDEX_OFFSET, journalIndex)
                .putLong(TIMESTAMP_OFFSET, timestampMicros).putInt(LENGTH_OFFSET, length).putLong(FILE_POSITION_OFFSET, filePosition).array();
    }

    static RecordEntry decode(byte[] key, byte[] value) {
        if (key.length != Long.BYTES || value.length != VALUE_LENGTH) {
            throw new IllegalStateException("record entry: key " + key.length + ", value " + value.length
                    + " bytes (expected: 8, " + VALUE_LENGTH + ")");
        }
        ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.BIG_ENDIAN);
        return new RecordEntry(ByteBuffer.wrap(key).order(ByteOrder.BIG_ENDIAN).getLong(0), v.getLong(JOURNAL_INDEX_OFFSET),
                v.getLong(TIMESTAMP_OFFSET), v.getInt(LENGTH_OFFSET), v.getLong(FILE_POSITION_OFFSET));
    }
}
