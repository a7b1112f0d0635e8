package io.tidemark.journal;

import io.tidemark.journal.store.BlockDevice;
import java.nio.ByteBuffer;

/** A heap-backed {@link BlockDevice} for tests that need no file. Thread-safe (synchronized). */
final class MemoryDevice implements BlockDevice {

    private final int blockSize;
    private final byte[] data;

    MemoryDevice(int blockSize, int blocks) {
        this.blockSize = blockSize;
        this.data = new byte[blockSize * blocks];
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return data.length / blockSize;
    }

    @Override
    public synchronized void read(long block, ByteBuffer dst) {
        dst.duplicate().put(data, (int) block * blockSize, dst.remaining());
    }

    @Override
    public synchronized void write(long block, ByteBuffer src) {
        src.duplicate().get(data, (int) block * blockSize, src.remaining());
    }

    @Override
    public void flush() {
    }

    @Override
    public synchronized void unmap(long block, long blocks) {
        java.util.Arrays.fill(data, (int) block * blockSize, (int) (block + blocks) * blockSize, (byte) 0);
    }

    @Override
    public void resize(long newBlockCount) {
        throw new UnsupportedOperationException("resize of a memory device");
    }

    @Override
    public Extent mappingStatus(long block) {
        return new Extent(true, blockCount() - block);
    }

    @Override
    public boolean thinProvisioned() {
        return false;
    }

    @Override
    public void close() {
    }

    synchronized ByteBuffer copy(long block, int blocks) {
        return ByteBuffer.wrap(data, (int) block * blockSize, blocks * blockSize).slice();
    }
}
