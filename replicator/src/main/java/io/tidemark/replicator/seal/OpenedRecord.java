package io.tidemark.replicator.seal;

import io.tidemark.journal.RecordType;
import java.nio.ByteBuffer;

/**
 * A sealed record whose tag verified: its header fields and its plaintext payload (decompressed).
 * Immutable; {@link #payload()} returns a read-only view at position 0.
 */
public final class OpenedRecord {

    private final RecordType type;
    private final int flags;
    private final int groupId;
    private final int volumeId;
    private final long epoch;
    private final long sequence;
    private final long timestampMicros;
    private final long lba;
    private final long blockCount;
    private final ByteBuffer payload;

    OpenedRecord(SealedRecord header, ByteBuffer payload) {
        this.type = header.type();
        this.flags = header.flags();
        this.groupId = header.groupId();
        this.volumeId = header.volumeId();
        this.epoch = header.epoch();
        this.sequence = header.sequence();
        this.timestampMicros = header.timestampMicros();
        this.lba = header.lba();
        this.blockCount = header.blockCount();
        this.payload = payload.asReadOnlyBuffer();
    }

    public RecordType type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public int groupId() {
        return groupId;
    }

    public int volumeId() {
        return volumeId;
    }

    public long epoch() {
        return epoch;
    }

    public long sequence() {
        return sequence;
    }

    public long timestampMicros() {
        return timestampMicros;
    }

    public long lba() {
        return lba;
    }

    public long blockCount() {
        return blockCount;
    }

    public int plainLength() {
        return payload.capacity();
    }

    /** The plaintext payload (read-only, position 0; empty for UNMAP, ZERO, miscompare). */
    public ByteBuffer payload() {
        return payload.duplicate();
    }

    @Override
    public String toString() {
        return "OpenedRecord[" + type + " seq " + sequence + ", epoch " + epoch + ", volume " + volumeId + ", lba " + lba
                + ", blocks " + blockCount + ", payload " + payload.capacity() + "]";
    }
}
