package io.tidemark.replicator.dr;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Layout of the multi-version block index in RocksDB: one entry per (volume, grain, sequence)
 * that a record wrote. A grain is {@link #GRAIN_BYTES} of a volume (8 sectors of 512 bytes, or
 * one 4 KiB block); the entry's sector mask says which of its sectors the record wrote, so a
 * 512-byte write costs one entry and a 4 KiB aligned write costs one entry too.
 *
 * <p>Key (20 bytes, big-endian so RocksDB's bytewise order is (volume, grain, sequence) order
 * and a seekForPrev to (v, g, S) lands on the newest version at or below S):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                           Volume Id                           |  0
 *  +---------------------------------------------------------------+
 *  |                          Grain (64)                           |  4
 *  +---------------------------------------------------------------+
 *  |                         Sequence (64)                         | 12
 *  +---------------------------------------------------------------+
 * </pre>
 * Value (24 bytes, big-endian):
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  |     Kind      |  Sector Mask  |        Reserved (zero)        |  0
 *  +---------------+---------------+-------------------------------+
 *  |   Payload Offset of the grain's first sector (signed, bytes)  |  4
 *  +---------------------------------------------------------------+
 *  |               DR journal (Chronicle) index (64)               |  8
 *  +---------------------------------------------------------------+
 *  |   File offset of the record in its cycle file (64)            | 16
 *  +---------------------------------------------------------------+
 * </pre>
 * The file offset lets a view read a record with one pread instead of a Chronicle index
 * lookup (measured: ~170 us per random moveToIndex against a few us per pread).
 * Kind {@link #KIND_ZERO}: the sectors read as zeros (UNMAP, ZERO SNAPSHOT), offset and index
 * unused. {@link #KIND_DATA}: sector s of the grain is at payload offset + s * blockSize of
 * the record at the index (the offset is negative when the record starts inside the grain).
 * {@link #KIND_PATTERN}: every sector is the record's one-block payload (WRITE SAME).
 */
final class BlockIndexDescriptor {

    /** Big-endian views of key and value arrays: decoding allocates nothing (views read per index entry). */
    private static final VarHandle BE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static final int KEY_LENGTH = 20;
    static final int VOLUME_OFFSET = 0;
    static final int GRAIN_OFFSET = 4;
    static final int SEQUENCE_OFFSET = 12;

    static final int VALUE_LENGTH = 24;
    static final int KIND_OFFSET = 0;
    static final int MASK_OFFSET = 1;
    static final int PAYLOAD_OFFSET_OFFSET = 4;
    static final int JOURNAL_INDEX_OFFSET = 8;
    static final int FILE_POSITION_OFFSET = 16;

    static final byte KIND_ZERO = 0;
    static final byte KIND_DATA = 1;
    static final byte KIND_PATTERN = 2;

    /** Bytes per grain: the usual guest I/O size and page size. */
    static final int GRAIN_BYTES = 4096;
    /** A mask has one bit per sector of a grain, so at most 8 sectors (512-byte blocks). */
    static final int MAX_SECTORS_PER_GRAIN = 8;

    private BlockIndexDescriptor() {
    }

    /** Sectors (volume blocks) per grain for a volume of {@code blockSize}-byte blocks: 1..8. */
    static int sectorsPerGrain(int blockSize, int grainBytes) {
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size: " + blockSize + " (expected: a power of two)");
        }
        int n = Math.max(1, grainBytes / blockSize);
        if (n > MAX_SECTORS_PER_GRAIN) {
            throw new IllegalArgumentException("sectors per grain: " + n + " (" + grainBytes + " / " + blockSize
                    + "; expected: <= " + MAX_SECTORS_PER_GRAIN + ")");
        }
        return n;
    }

    static byte[] key(int volumeId, long grain, long sequence) {
        byte[] k = new byte[KEY_LENGTH];
        putKey(k, volumeId, grain, sequence);
        return k;
    }

    static void putKey(byte[] k, int volumeId, long grain, long sequence) {
        ByteBuffer b = ByteBuffer.wrap(k).order(ByteOrder.BIG_ENDIAN);
        b.putInt(VOLUME_OFFSET, volumeId);
        b.putLong(GRAIN_OFFSET, grain);
        b.putLong(SEQUENCE_OFFSET, sequence);
    }

    static int volumeOf(byte[] key) {
        return (int) BE_INT.get(key, VOLUME_OFFSET);
    }

    static long grainOf(byte[] key) {
        return (long) BE_LONG.get(key, GRAIN_OFFSET);
    }

    static long sequenceOf(byte[] key) {
        return (long) BE_LONG.get(key, SEQUENCE_OFFSET);
    }

    static byte[] value(byte kind, int mask, int payloadOffset, long journalIndex, long filePosition) {
        byte[] v = new byte[VALUE_LENGTH];
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.BIG_ENDIAN);
        b.put(KIND_OFFSET, kind);
        b.put(MASK_OFFSET, (byte) mask);
        b.putInt(PAYLOAD_OFFSET_OFFSET, payloadOffset);
        b.putLong(JOURNAL_INDEX_OFFSET, journalIndex);
        b.putLong(FILE_POSITION_OFFSET, filePosition);
        return v;
    }

    static long filePositionOf(byte[] value) {
        return (long) BE_LONG.get(value, FILE_POSITION_OFFSET);
    }

    static byte kindOf(byte[] value) {
        checkValue(value);
        return value[KIND_OFFSET];
    }

    static int maskOf(byte[] value) {
        return value[MASK_OFFSET] & 0xff;
    }

    static int payloadOffsetOf(byte[] value) {
        return (int) BE_INT.get(value, PAYLOAD_OFFSET_OFFSET);
    }

    static long journalIndexOf(byte[] value) {
        return (long) BE_LONG.get(value, JOURNAL_INDEX_OFFSET);
    }

    private static void checkValue(byte[] value) {
        if (value.length != VALUE_LENGTH) {
            throw new IllegalStateException("block index value: " + value.length + " bytes (expected: " + VALUE_LENGTH + ")");
        }
        byte kind = value[KIND_OFFSET];
        if (kind < KIND_ZERO || kind > KIND_PATTERN) {
            throw new IllegalStateException("block index value kind: " + kind + " (expected: 0.." + KIND_PATTERN + ")");
        }
    }
}
