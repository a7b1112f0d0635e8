package io.tidemark.benchmarks.journal;

import io.tidemark.journal.store.BlockDevice;
import java.nio.ByteBuffer;

/**
 * A store that keeps nothing: the ring-to-journal benchmark measures the ring and the journal,
 * not the store's pwrite. Thread-safe (stateless).
 */
final class DiscardingDevice implements BlockDevice {

    private final long blocks;

    DiscardingDevice(long blocks) {
        this.blocks = blocks;
    }

    @Override
    public int blockSize() {
        return 512;
    }

    @Override
    public long blockCount() {
        return blocks;
    }

    @Override
    public void read(long block, ByteBuffer dst) {
    }

    @Override
    public void write(long block, ByteBuffer src) {
    }

    @Override
    public void flush() {
    }

    @Override
    public void unmap(long block, long count) {
    }

    @Override
    public void resize(long newBlockCount) {
        throw new UnsupportedOperationException("resize of a discarding device");
    }

    @Override
    public Extent mappingStatus(long block) {
        return new Extent(true, blocks - block);
    }

    @Override
    public boolean thinProvisioned() {
        return false;
    }

    @Override
    public void close() {
    }
}
