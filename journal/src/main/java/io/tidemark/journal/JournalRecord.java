package io.tidemark.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Flyweight reader over one record laid out as {@link JournalRecordDescriptor} describes.
 * {@link #wrap} validates; the getters then read the buffer in place. Not thread-safe: one
 * instance per reading thread, re-wrapped for each record.
 */
public final class JournalRecord {

    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer;
    private int offset;
    private int length;

    /**
     * Points this flyweight at the record of {@code length} bytes at {@code offset}.
     *
     * @throws InvalidRecordException when the structure or CRC is wrong
     */
    public JournalRecord wrap(ByteBuffer buffer, int offset, int length) {
        JournalRecordDescriptor.validate(crc, buffer, offset, length);
        this.buffer = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Checks the payload length against what the type requires for volumes of {@code blockSize}.
     *
     * @throws InvalidRecordException naming the length and the expected one
     */
    public JournalRecord checkPayloadFor(int blockSize) {
        long expected = type().expectedPayloadLength(blockCount(), blockSize, flags());
        if (expected >= 0 && expected != payloadLength()) {
            throw new InvalidRecordException("payload length of " + type() + " seq " + sequence() + ": " + payloadLength()
                    + " (expected: " + expected + " for " + blockCount() + " blocks of " + blockSize + ")");
        }
        return this;
    }

    public RecordType type() {
        return RecordType.ofCode(buffer.get(offset + JournalRecordDescriptor.TYPE_OFFSET) & 0xff);
    }

    public int flags() {
        return buffer.get(offset + JournalRecordDescriptor.FLAGS_OFFSET) & 0xff;
    }

    public boolean miscompare() {
        return (flags() & JournalRecordDescriptor.FLAG_MISCOMPARE) != 0;
    }

    public int payloadLength() {
        return buffer.getInt(offset + JournalRecordDescriptor.PAYLOAD_LENGTH_OFFSET);
    }

    public int groupId() {
        return buffer.getInt(offset + JournalRecordDescriptor.GROUP_ID_OFFSET);
    }

    public int volumeId() {
        return buffer.getInt(offset + JournalRecordDescriptor.VOLUME_ID_OFFSET);
    }

    public long epoch() {
        return buffer.getLong(offset + JournalRecordDescriptor.EPOCH_OFFSET);
    }

    public long sequence() {
        return buffer.getLong(offset + JournalRecordDescriptor.SEQUENCE_OFFSET);
    }

    public long timestampMicros() {
        return buffer.getLong(offset + JournalRecordDescriptor.TIMESTAMP_OFFSET);
    }

    public long lba() {
        return buffer.getLong(offset + JournalRecordDescriptor.LBA_OFFSET);
    }

    public long blockCount() {
        return buffer.getLong(offset + JournalRecordDescriptor.BLOCK_COUNT_OFFSET);
    }

    public int recordLength() {
        return length;
    }

    /** The payload as a read-only view (position 0), valid until the underlying buffer is reused. */
    public ByteBuffer payload() {
        int start = JournalRecordDescriptor.payloadOffset(offset);
        return buffer.asReadOnlyBuffer().limit(offset + length).position(start).slice();
    }

    @Override
    public String toString() {
        return type() + "[seq " + sequence() + ", epoch " + epoch() + ", volume " + volumeId() + ", lba " + lba()
                + ", blocks " + blockCount() + ", payload " + payloadLength() + "]";
    }
}
