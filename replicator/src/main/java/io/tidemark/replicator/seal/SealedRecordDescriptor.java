package io.tidemark.replicator.seal;

import io.tidemark.journal.JournalRecordDescriptor;
import io.tidemark.journal.RecordType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Layout of one sealed record: what the primary ships and the DR site stores (ciphertext at
 * rest). A 64-byte cleartext header, then the AES-256-GCM ciphertext of the payload (zstd
 * compressed when that paid) followed by the 16-byte tag. Numbers are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+---------------+---------------+
 *  |  Magic 0x53   |    Version    |     Type      | Journal Flags |  0
 *  +---------------+---------------+---------------+---------------+
 *  |     Codec     |  Codec Level  |        Reserved (zero)        |  4
 *  +---------------+---------------+-------------------------------+
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
 *  |             Plain Length (payload before compression)         | 56
 *  +---------------------------------------------------------------+
 *  |        Sealed Length (ciphertext + 16-byte tag that follow)   | 60
 *  +---------------------------------------------------------------+
 *  |            Ciphertext ... | Tag (16)                       ...  64
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The whole header is the GCM associated data, so no field can be altered undetected. The
 * nonce is the low 32 bits of the epoch followed by the 64-bit sequence (big-endian): unique per
 * record of a group. The GCM key is derived from the group's {@link DataKey} per codec and level
 * ({@link SealKeys}), so a record re-sealed with other compression settings never reuses a
 * (key, nonce) pair with a different plaintext. Records without payload (UNMAP, ZERO SNAPSHOT,
 * miscompare) still carry a tag: their header is authenticated.
 */
public final class SealedRecordDescriptor {

    public static final byte MAGIC = 0x53; // 'S'
    public static final byte FORMAT_VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 1;
    public static final int TYPE_OFFSET = 2;
    public static final int FLAGS_OFFSET = 3;
    public static final int CODEC_OFFSET = 4;
    public static final int CODEC_LEVEL_OFFSET = 5;
    public static final int RESERVED_OFFSET = 6;
    public static final int GROUP_ID_OFFSET = 8;
    public static final int VOLUME_ID_OFFSET = 12;
    public static final int EPOCH_OFFSET = 16;
    public static final int SEQUENCE_OFFSET = 24;
    public static final int TIMESTAMP_OFFSET = 32;
    public static final int LBA_OFFSET = 40;
    public static final int BLOCK_COUNT_OFFSET = 48;
    public static final int PLAIN_LENGTH_OFFSET = 56;
    public static final int SEALED_LENGTH_OFFSET = 60;
    public static final int HEADER_LENGTH = 64;

    public static final int TAG_LENGTH = 16;
    public static final int NONCE_LENGTH = 12;
    /** Largest plaintext payload: the journal's largest. */
    public static final int MAX_PLAIN_LENGTH = JournalRecordDescriptor.MAX_PAYLOAD_LENGTH;
    /** Largest sealed part: incompressible payloads are stored as is, so plain + tag. */
    public static final int MAX_SEALED_LENGTH = MAX_PLAIN_LENGTH + TAG_LENGTH;

    private SealedRecordDescriptor() {
    }

    /** Total length of a record whose sealed part is {@code sealedLength} bytes. */
    public static int recordLength(int sealedLength) {
        return HEADER_LENGTH + sealedLength;
    }

    /** Writes the header at {@code offset} of {@code b} (a little-endian view). */
    static void encodeHeader(ByteBuffer b, int offset, RecordType type, int flags, Compression compression,
                             int groupId, int volumeId, long epoch, long sequence, long timestampMicros, long lba,
                             long blockCount, int plainLength, int sealedLength) {
        b.put(offset + MAGIC_OFFSET, MAGIC);
        b.put(offset + VERSION_OFFSET, FORMAT_VERSION);
        b.put(offset + TYPE_OFFSET, type.code());
        b.put(offset + FLAGS_OFFSET, (byte) flags);
        b.put(offset + CODEC_OFFSET, (byte) compression.codec().code());
        b.put(offset + CODEC_LEVEL_OFFSET, (byte) compression.level());
        b.putShort(offset + RESERVED_OFFSET, (short) 0);
        b.putInt(offset + GROUP_ID_OFFSET, groupId);
        b.putInt(offset + VOLUME_ID_OFFSET, volumeId);
        b.putLong(offset + EPOCH_OFFSET, epoch);
        b.putLong(offset + SEQUENCE_OFFSET, sequence);
        b.putLong(offset + TIMESTAMP_OFFSET, timestampMicros);
        b.putLong(offset + LBA_OFFSET, lba);
        b.putLong(offset + BLOCK_COUNT_OFFSET, blockCount);
        b.putInt(offset + PLAIN_LENGTH_OFFSET, plainLength);
        b.putInt(offset + SEALED_LENGTH_OFFSET, sealedLength);
    }

    /** The 12-byte GCM nonce of the record at (epoch, sequence). */
    public static byte[] nonce(long epoch, long sequence) {
        ByteBuffer n = ByteBuffer.allocate(NONCE_LENGTH).order(ByteOrder.BIG_ENDIAN);
        n.putInt((int) epoch).putLong(sequence);
        return n.array();
    }

    /**
     * Checks the structure of the record at {@code offset} with {@code available} bytes readable
     * from there: magic, version, type, codec, lengths (not the tag). Returns its total length.
     *
     * @throws IllegalArgumentException naming the first field that is wrong
     */
    public static int validate(ByteBuffer buffer, int offset, int available) {
        if (available < HEADER_LENGTH) {
            throw new IllegalArgumentException("sealed record: " + available + " bytes (expected: >= " + HEADER_LENGTH
                    + ", the header)");
        }
        ByteBuffer b = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte magic = b.get(offset + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new IllegalArgumentException("sealed record magic: 0x" + Integer.toHexString(magic & 0xff)
                    + " (expected: 0x53)");
        }
        byte version = b.get(offset + VERSION_OFFSET);
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("sealed record version: " + version + " (expected: " + FORMAT_VERSION + ")");
        }
        int type = b.get(offset + TYPE_OFFSET) & 0xff;
        if (RecordType.ofCode(type) == null) {
            throw new IllegalArgumentException("sealed record type: " + type + " (expected: 1.."
                    + RecordType.values().length + ")");
        }
        int codec = b.get(offset + CODEC_OFFSET) & 0xff;
        if (Compression.Codec.ofCode(codec) == null) {
            throw new IllegalArgumentException("sealed record codec: " + codec + " (expected: 0 none or 1 zstd)");
        }
        int plain = b.getInt(offset + PLAIN_LENGTH_OFFSET);
        if (plain < 0 || plain > MAX_PLAIN_LENGTH) {
            throw new IllegalArgumentException("sealed record plain length: " + plain + " (expected: 0.."
                    + MAX_PLAIN_LENGTH + ")");
        }
        int sealed = b.getInt(offset + SEALED_LENGTH_OFFSET);
        if (sealed < TAG_LENGTH || sealed > MAX_SEALED_LENGTH) {
            throw new IllegalArgumentException("sealed record sealed length: " + sealed + " (expected: " + TAG_LENGTH
                    + ".." + MAX_SEALED_LENGTH + ")");
        }
        if (codec == Compression.Codec.NONE.code() && sealed != plain + TAG_LENGTH) {
            throw new IllegalArgumentException("sealed record sealed length: " + sealed + " (expected: " + (plain + TAG_LENGTH)
                    + ", plain length + tag, when not compressed)");
        }
        if (sealed > available - HEADER_LENGTH) {
            throw new IllegalArgumentException("sealed record sealed length: " + sealed + " (expected: <= "
                    + (available - HEADER_LENGTH) + ", the bytes that follow the header)");
        }
        return HEADER_LENGTH + sealed;
    }
}
