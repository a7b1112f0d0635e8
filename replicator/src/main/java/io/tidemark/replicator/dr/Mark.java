package io.tidemark.replicator.dr;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A noteworthy sequence of the stream: an automatic point, a named checkpoint, or the start or
 * end of a full sync. Stored in the "marks" column family, key = sequence (8 bytes big-endian):
 * <pre>
 *  +---------------+-----------------------------------------------+
 *  |     Kind      |   Timestamp (64, microseconds) ...            |  0
 *  +---------------+-----------------------------------------------+
 *  |  ... | Bytes (64, sync-start total) ...                        |  9
 *  +---------------------------------------------------------------+
 *  |  Name (UTF-8, the rest of the value; checkpoints only)     ...  17
 *  +---------------------------------------------------------------+
 * </pre>
 */
record Mark(long sequence, long timestampMicros, Kind kind, String name, long bytes) {

    static final int KIND_OFFSET = 0;
    static final int TIMESTAMP_OFFSET = 1;
    static final int BYTES_OFFSET = 9;
    static final int NAME_OFFSET = 17;

    enum Kind {
        AUTO, CHECKPOINT, SYNC_START, SYNC_COMPLETE;

        boolean point() {
            return this == AUTO || this == CHECKPOINT;
        }

        boolean sync() {
            return this == SYNC_START || this == SYNC_COMPLETE;
        }
    }

    static byte[] key(long sequence) {
        return ByteBuffer.allocate(Long.BYTES).order(ByteOrder.BIG_ENDIAN).putLong(0, sequence).array();
    }

    byte[] key() {
        return key(sequence);
    }

    byte[] value() {
        byte[] n = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(NAME_OFFSET + n.length).order(ByteOrder.BIG_ENDIAN);
        b.put(KIND_OFFSET, (byte) kind.ordinal());
        b.putLong(TIMESTAMP_OFFSET, timestampMicros);
        b.putLong(BYTES_OFFSET, bytes);
        b.put(NAME_OFFSET, n);
        return b.array();
    }

    static Mark decode(byte[] key, byte[] value) {
        if (key.length != Long.BYTES || value.length < NAME_OFFSET) {
            throw new IllegalStateException("mark entry: key " + key.length + ", value " + value.length
                    + " bytes (expected: 8, >= " + NAME_OFFSET + ")");
        }
        ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.BIG_ENDIAN);
        int kind = v.get(KIND_OFFSET);
        if (kind < 0 || kind >= Kind.values().length) {
            throw new IllegalStateException("mark kind: " + kind + " (expected: 0.." + (Kind.values().length - 1) + ")");
        }
        Kind k = Kind.values()[kind];
        String name = value.length > NAME_OFFSET
                ? new String(value, NAME_OFFSET, value.length - NAME_OFFSET, StandardCharsets.UTF_8) : null;
        return new Mark(ByteBuffer.wrap(key).order(ByteOrder.BIG_ENDIAN).getLong(0), v.getLong(TIMESTAMP_OFFSET), k,
                name, v.getLong(BYTES_OFFSET));
    }
}
