package io.tidemark.replicator.seal;

import io.tidemark.journal.RecordType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An immutable view over one sealed record ({@link SealedRecordDescriptor}) in a buffer: header
 * getters read the buffer in place. {@link #wrap} checks the structure, not the tag (only a
 * {@link RecordOpener} with the key can). Thread-safe as long as nobody changes the bytes.
 */
public final class SealedRecord {

    private final ByteBuffer buffer; // little-endian, exactly the record, position 0

    private SealedRecord(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    /**
     * The record that starts at {@code src}'s position; the view covers exactly its length (the
     * bytes after it, if any, are not part of it). {@code src}'s position is left unchanged.
     *
     * @throws IllegalArgumentException when the structure is wrong (names the field and the limit)
     */
    public static SealedRecord wrap(ByteBuffer src) {
        int length = SealedRecordDescriptor.validate(src, src.position(), src.remaining());
        ByteBuffer view = src.duplicate();
        view.limit(src.position() + length);
        return new SealedRecord(view.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    public RecordType type() {
        return RecordType.ofCode(buffer.get(SealedRecordDescriptor.TYPE_OFFSET) & 0xff);
    }

    /** The journal record's flags (FUA, MISCOMPARE, ZERO: {@link io.tidemark.journal.JournalRecordDescriptor}). */
    public int flags() {
        return buffer.get(SealedRecordDescriptor.FLAGS_OFFSET) & 0xff;
    }

    /** How the sealed payload is compressed. */
    public Compression compression() {
        Compression.Codec codec = Compression.Codec.ofCode(buffer.get(SealedRecordDescriptor.CODEC_OFFSET) & 0xff);
        return codec == Compression.Codec.NONE ? Compression.NONE
                : new Compression(codec, buffer.get(SealedRecordDescriptor.CODEC_LEVEL_OFFSET));
    }

    public int groupId() {
        return buffer.getInt(SealedRecordDescriptor.GROUP_ID_OFFSET);
    }

    public int volumeId() {
        return buffer.getInt(SealedRecordDescriptor.VOLUME_ID_OFFSET);
    }

    public long epoch() {
        return buffer.getLong(SealedRecordDescriptor.EPOCH_OFFSET);
    }

    public long sequence() {
        return buffer.getLong(SealedRecordDescriptor.SEQUENCE_OFFSET);
    }

    public long timestampMicros() {
        return buffer.getLong(SealedRecordDescriptor.TIMESTAMP_OFFSET);
    }

    public long lba() {
        return buffer.getLong(SealedRecordDescriptor.LBA_OFFSET);
    }

    public long blockCount() {
        return buffer.getLong(SealedRecordDescriptor.BLOCK_COUNT_OFFSET);
    }

    /** Payload length once opened (before compression). */
    public int plainLength() {
        return buffer.getInt(SealedRecordDescriptor.PLAIN_LENGTH_OFFSET);
    }

    /** Length of the ciphertext + tag after the header. */
    public int sealedLength() {
        return buffer.getInt(SealedRecordDescriptor.SEALED_LENGTH_OFFSET);
    }

    /** Total length of the record (header + sealed part). */
    public int length() {
        return buffer.capacity();
    }

    /** The underlying buffer (writable when the source was), for this package's ciphers: never modify it. */
    ByteBuffer buffer() {
        return buffer;
    }

    /** The whole record (a read-only view at position 0; the caller may move its position). */
    public ByteBuffer bytes() {
        return buffer.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String toString() {
        return "SealedRecord[" + type() + " seq " + sequence() + ", epoch " + epoch() + ", volume " + volumeId()
                + ", lba " + lba() + ", blocks " + blockCount() + ", plain " + plainLength() + ", sealed "
                + sealedLength() + ", " + compression() + "]";
    }
}
