package io.tidemark.journal;

import io.tidemark.journal.store.BlockDevice;
import io.tidemark.nativeio.AlignedBuffers;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Applies one record's effect to a store: shared by the live store applier and by crash
 * recovery, so both do exactly the same thing. Applying a record twice leaves the store as
 * applying it once (idempotent), because a COMPARE AND WRITE carries its decided outcome.
 * Not thread-safe: one per applying thread (it owns a WRITE SAME pattern buffer).
 */
final class RecordApplier {

    private static final int PATTERN_BYTES = 256 * 1024;

    private ByteBuffer pattern;

    void apply(BlockDevice store, RecordType type, boolean miscompare, long lba, long blockCount, ByteBuffer payload)
            throws IOException {
        switch (type) {
            case WRITE -> store.write(lba, payload.duplicate());
            case UNMAP -> store.unmap(lba, blockCount);
            case WRITE_SAME -> writeSame(store, lba, blockCount, payload);
            case COMPARE_AND_WRITE -> {
                if (!miscompare) {
                    store.write(lba, payload.duplicate());
                }
            }
            case METADATA, SNAPSHOT -> {
                // group metadata and sync snapshots change no block
            }
        }
    }

    private void writeSame(BlockDevice store, long lba, long blocks, ByteBuffer block) throws IOException {
        int blockSize = store.blockSize();
        int copies = (int) Math.min(blocks, PATTERN_BYTES / blockSize);
        int bytes = copies * blockSize;
        if (pattern == null) {
            pattern = AlignedBuffers.allocate(PATTERN_BYTES);
        }
        pattern.clear().put(0, block, block.position(), blockSize);
        for (int filled = blockSize; filled < bytes; filled *= 2) {
            pattern.put(filled, pattern, 0, Math.min(filled, bytes - filled));
        }
        for (long done = 0; done < blocks; done += copies) {
            int chunk = (int) Math.min(copies, blocks - done);
            store.write(lba + done, pattern.clear().limit(chunk * blockSize));
        }
    }
}
