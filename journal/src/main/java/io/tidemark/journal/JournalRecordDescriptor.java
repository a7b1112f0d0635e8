package io.tidemark.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Layout of one journal record: a fixed 64-byte header followed by the payload, stored as one
 * Chronicle Queue document. Numbers are little-endian (the byte order Chronicle maps natively).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+---------------+---------------+
 *  |  Magic 0x54   |    Version    |     Type      |     Flags     |  0
 *  +---------------+---------------+---------------+---------------+
 *  |                        Payload Length                         |  4
 *  +---------------------------------------------------------------+
 *  |                           Group Id                            |  8
 *  +---------------------------------------------------------------+
 *  |                           Volume Id                           | 12
 *  +---------------------------------------------------------------+
 *  |                          Epoch (64)                           | 16
 *  +---------------------------------------------------------------+
 *  |                        Sequence (64)                          | 24
 *  +---------------------------------------------------------------+
 *  |          Timestamp (64, microseconds since 1970 UTC)          | 32
 *  +---------------------------------------------------------------+
 *  |                           LBA (64)                            | 40
 *  +---------------------------------------------------------------+
 *  |                       Block Count (64)                        | 48
 *  +---------------------------------------------------------------+
 *  |                            CRC32C                             | 56
 *  +---------------------------------------------------------------+
 *  |                       Reserved (zero)                         | 60
 *  +---------------------------------------------------------------+
 *  |                      Payload (Payload Length bytes)         ...  64
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The CRC32C covers bytes 0..55, 60..63 and the payload (the header with the CRC field left
 * out), so a torn or altered record anywhere is detected.
 *
 * <p>Versions are additive: version 1 has types 1-5 and flags FUA, MISCOMPARE; version 2 adds
 * type 6 ({@link RecordType#SNAPSHOT}) and flag ZERO. Each record carries the lowest version
 * that describes it ({@link RecordType#sinceVersion()}), so a journal without the new types
 * stays readable by a version-1 reader. A reader refuses versions, types and flags it does not
 * know rather than misreading them.
 */
public final class JournalRecordDescriptor {

    public static final byte MAGIC = 0x54; // 'T'
    /** The newest record format version this code reads and writes. */
    public static final byte FORMAT_VERSION = 2;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 1;
    public static final int TYPE_OFFSET = 2;
    public static final int FLAGS_OFFSET = 3;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int GROUP_ID_OFFSET = 8;
    public static final int VOLUME_ID_OFFSET = 12;
    public static final int EPOCH_OFFSET = 16;
    public static final int SEQUENCE_OFFSET = 24;
    public static final int TIMESTAMP_OFFSET = 32;
    public static final int LBA_OFFSET = 40;
    public static final int BLOCK_COUNT_OFFSET = 48;
    public static final int CRC_OFFSET = 56;
    public static final int RESERVED_OFFSET = 60;
    public static final int HEADER_LENGTH = 64;

    /** The write was sent with FUA (informational: durability is decided before completion). */
    public static final int FLAG_FUA = 1;
    /** A COMPARE AND WRITE whose compare failed: nothing was written, there is no payload. */
    public static final int FLAG_MISCOMPARE = 2;
    /** A SNAPSHOT whose blocks were all zero: there is no payload (format version 2). */
    public static final int FLAG_ZERO = 4;
    /** Flags each format version knows, indexed by version. */
    private static final int[] KNOWN_FLAGS = {0, FLAG_FUA | FLAG_MISCOMPARE, FLAG_FUA | FLAG_MISCOMPARE | FLAG_ZERO};

    /** Largest payload: one SCSI transfer of 65536 blocks of 512 bytes. */
    public static final int MAX_PAYLOAD_LENGTH = 32 * 1024 * 1024;

    private JournalRecordDescriptor() {
    }

    /** Offset of the payload within a record starting at {@code recordOffset}. */
    public static int payloadOffset(int recordOffset) {
        return recordOffset + HEADER_LENGTH;
    }

    /** Total length of a record carrying {@code payloadLength} bytes. */
    public static int recordLength(int payloadLength) {
        return HEADER_LENGTH + payloadLength;
    }

    /**
     * Writes a header (CRC field zero) at {@code offset} of {@code header}; compute the CRC with
     * {@link #crc} once the payload is known, and store it with {@link #putCrc}.
     */
    public static void encodeHeader(ByteBuffer header, int offset, RecordType type, int flags, int payloadLength,
                                    int groupId, int volumeId, long epoch, long sequence, long timestampMicros,
                                    long lba, long blockCount) {
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH) {
            throw new InvalidRecordException("payload length: " + payloadLength + " (expected: 0.." + MAX_PAYLOAD_LENGTH + ")");
        }
        ByteBuffer b = header.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.put(offset + MAGIC_OFFSET, MAGIC);
        b.put(offset + VERSION_OFFSET, (flags & ~KNOWN_FLAGS[1]) != 0 ? FORMAT_VERSION : type.sinceVersion());
        b.put(offset + TYPE_OFFSET, type.code());
        b.put(offset + FLAGS_OFFSET, (byte) flags);
        b.putInt(offset + PAYLOAD_LENGTH_OFFSET, payloadLength);
        b.putInt(offset + GROUP_ID_OFFSET, groupId);
        b.putInt(offset + VOLUME_ID_OFFSET, volumeId);
        b.putLong(offset + EPOCH_OFFSET, epoch);
        b.putLong(offset + SEQUENCE_OFFSET, sequence);
        b.putLong(offset + TIMESTAMP_OFFSET, timestampMicros);
        b.putLong(offset + LBA_OFFSET, lba);
        b.putLong(offset + BLOCK_COUNT_OFFSET, blockCount);
        b.putInt(offset + CRC_OFFSET, 0);
        b.putInt(offset + RESERVED_OFFSET, 0);
    }

    /**
     * CRC32C of the header at {@code offset} (without its CRC field) and of {@code payload}
     * (position..limit, left unchanged). {@code crc} is reset first; it is reused to avoid garbage.
     */
    public static int crc(CRC32C crc, ByteBuffer header, int offset, ByteBuffer payload) {
        crc.reset();
        ByteBuffer h = header.duplicate();
        crc.update(h.limit(offset + CRC_OFFSET).position(offset));
        crc.update(h.limit(offset + HEADER_LENGTH).position(offset + RESERVED_OFFSET));
        if (payload != null) {
            crc.update(payload.duplicate());
        }
        return (int) crc.getValue();
    }

    public static void putCrc(ByteBuffer header, int offset, int crc) {
        header.duplicate().order(ByteOrder.LITTLE_ENDIAN).putInt(offset + CRC_OFFSET, crc);
    }

    /**
     * Checks the structure of the record of {@code length} bytes at {@code offset}: magic,
     * version, type, flags, payload length against the record length, and the CRC.
     *
     * @throws InvalidRecordException naming the first field that is wrong
     */
    public static void validate(CRC32C crc, ByteBuffer buffer, int offset, int length) {
        if (length < HEADER_LENGTH) {
            throw new InvalidRecordException("record length: " + length + " (expected: >= " + HEADER_LENGTH + ")");
        }
        ByteBuffer b = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte magic = b.get(offset + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new InvalidRecordException("magic: 0x" + Integer.toHexString(magic & 0xff) + " (expected: 0x54)");
        }
        byte version = b.get(offset + VERSION_OFFSET);
        if (version < 1 || version > FORMAT_VERSION) {
            throw new InvalidRecordException("format version: " + version + " (expected: 1.." + FORMAT_VERSION + ")");
        }
        int code = b.get(offset + TYPE_OFFSET) & 0xff;
        RecordType type = RecordType.ofCode(code);
        if (type == null || type.sinceVersion() > version) {
            throw new InvalidRecordException("record type: " + code + " (expected: a type of format version " + version
                    + ", 1.." + RecordType.values().length + " in version " + FORMAT_VERSION + ")");
        }
        int flags = b.get(offset + FLAGS_OFFSET) & 0xff;
        if ((flags & ~KNOWN_FLAGS[version]) != 0) {
            throw new InvalidRecordException("flags: 0x" + Integer.toHexString(flags)
                    + " (expected: a subset of 0x" + Integer.toHexString(KNOWN_FLAGS[version]) + " in format version "
                    + version + ")");
        }
        int payloadLength = b.getInt(offset + PAYLOAD_LENGTH_OFFSET);
        if (payloadLength < 0 || payloadLength != length - HEADER_LENGTH) {
            throw new InvalidRecordException("payload length: " + payloadLength + " (expected: " + (length - HEADER_LENGTH)
                    + ", the record length " + length + " less the header)");
        }
        int stored = b.getInt(offset + CRC_OFFSET);
        int actual = crc(crc, b, offset, b.duplicate().limit(offset + length).position(offset + HEADER_LENGTH));
        if (stored != actual) {
            throw new InvalidRecordException("CRC32C: 0x" + Integer.toHexString(stored)
                    + " (expected: 0x" + Integer.toHexString(actual) + ", computed over header and payload)");
        }
    }
}
