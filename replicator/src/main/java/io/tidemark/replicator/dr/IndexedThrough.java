package io.tidemark.replicator.dr;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How far the index goes: the "indexed" entry of the "meta" column family, written in the
 * same batch as the entries of the records it names (big-endian):
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                 Sequence of the last record (64)              |  0
 *  +---------------------------------------------------------------+
 *  |                Its DR journal (Chronicle) index (64)          |  8
 *  +---------------------------------------------------------------+
 *  |   Stream time (64, microseconds: the highest timestamp yet)   | 16
 *  +---------------------------------------------------------------+
 *  |                         Epoch (64)                            | 24
 *  +---------------------------------------------------------------+
 *  |        Bytes of volume content since the last sync-start      | 32
 *  +---------------------------------------------------------------+
 *  |            Bytes the last sync-start announced (64)           | 40
 *  +---------------------------------------------------------------+
 * </pre>
 */
record IndexedThrough(long sequence, long journalIndex, long streamMicros, long epoch, long syncDoneBytes,
                      long syncTotalBytes) {

    static final IndexedThrough NONE = new IndexedThrough(0, -1, 0, 0, 0, 0);
    static final int LENGTH = 48;

    byte[] value() {
        return ByteBuffer.allocate(LENGTH).order(ByteOrder.BIG_ENDIAN).putLong(0, sequence).putLong(8, journalIndex)
                .putLong(16, streamMicros).putLong(24, epoch).putLong(32, syncDoneBytes)
                .putLong(40, syncTotalBytes).array();
    }

    static IndexedThrough decode(byte[] value) {
        if (value == null) {
            return NONE;
        }
        if (value.length != LENGTH) {
            throw new IllegalStateException("indexed entry: " + value.length + " bytes (expected: " + LENGTH + ")");
        }
        ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.BIG_ENDIAN);
        return new IndexedThrough(v.getLong(0), v.getLong(8), v.getLong(16), v.getLong(24), v.getLong(32),
                v.getLong(40));
    }
}
