package io.tidemark.journal;

/**
 * What a journal record does to its volume, with its one-byte code in the record header and the
 * record format version that introduced it (a record is stamped with that version, so journals
 * without the newer types stay readable by older releases). The payload each type carries is
 * part of the format: see {@link #expectedPayloadLength}.
 */
public enum RecordType {
    /** Writes the payload ({@code blockCount} blocks) at the LBA. */
    WRITE(1, 1, PayloadRule.ALL_BLOCKS),
    /** Deallocates {@code blockCount} blocks; no payload. */
    UNMAP(2, 1, PayloadRule.NONE),
    /** Writes the payload (one block) to each of {@code blockCount} blocks. */
    WRITE_SAME(3, 1, PayloadRule.ONE_BLOCK),
    /**
     * COMPARE AND WRITE with its outcome decided at its place in the order: when it matched the
     * payload is the data written ({@code blockCount} blocks); with {@link JournalRecordDescriptor#FLAG_MISCOMPARE}
     * nothing was written and there is no payload.
     */
    COMPARE_AND_WRITE(4, 1, PayloadRule.ALL_BLOCKS_UNLESS_MISCOMPARE),
    /** Group metadata (checkpoints, sync markers, recovery plans): volume 0, no blocks; never applied to a store. */
    METADATA(5, 1, PayloadRule.ANY),
    /**
     * The content of {@code blockCount} blocks as the store held them at this record's place in
     * the order (initial sync, resync); with {@link JournalRecordDescriptor#FLAG_ZERO} every block
     * was zero and there is no payload. Changes nothing locally: replay treats it as a no-op.
     */
    SNAPSHOT(6, 2, PayloadRule.ALL_BLOCKS_UNLESS_ZERO);

    private static final RecordType[] BY_CODE = new RecordType[8];

    static {
        for (RecordType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final byte code;
    private final byte sinceVersion;
    private final PayloadRule payload;

    RecordType(int code, int sinceVersion, PayloadRule payload) {
        this.code = (byte) code;
        this.sinceVersion = (byte) sinceVersion;
        this.payload = payload;
    }

    public byte code() {
        return code;
    }

    /** The record format version that introduced this type (records of it carry that version). */
    public byte sinceVersion() {
        return sinceVersion;
    }

    /** True when applying a record of this type changes the blocks of its volume. */
    public boolean changesBlocks() {
        return payload != PayloadRule.ANY && payload != PayloadRule.ALL_BLOCKS_UNLESS_ZERO;
    }

    /** The type with this header code, or null when the code is unknown. */
    public static RecordType ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Payload bytes a record of this type must carry, or -1 when any length is valid. */
    public long expectedPayloadLength(long blockCount, int blockSize, int flags) {
        return switch (payload) {
            case NONE -> 0;
            case ONE_BLOCK -> blockSize;
            case ALL_BLOCKS -> blockCount * blockSize;
            case ALL_BLOCKS_UNLESS_MISCOMPARE ->
                    (flags & JournalRecordDescriptor.FLAG_MISCOMPARE) != 0 ? 0 : blockCount * blockSize;
            case ALL_BLOCKS_UNLESS_ZERO ->
                    (flags & JournalRecordDescriptor.FLAG_ZERO) != 0 ? 0 : blockCount * blockSize;
            case ANY -> -1;
        };
    }

    private enum PayloadRule { NONE, ONE_BLOCK, ALL_BLOCKS, ALL_BLOCKS_UNLESS_MISCOMPARE, ALL_BLOCKS_UNLESS_ZERO, ANY }
}
