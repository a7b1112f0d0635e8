package io.tidemark.appliance.lun;

import io.tidemark.journal.store.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A {@link BlockDevice} that runs test hooks before reads and writes reach the real device. Thread-safe as its delegate. */
final class GatedDevice implements BlockDevice {

    private final BlockDevice delegate;
    volatile IoHook beforeRead = (block, buffer) -> { };
    volatile IoHook beforeWrite = (block, buffer) -> { };

    GatedDevice(BlockDevice delegate) {
        this.delegate = delegate;
    }

    interface IoHook {
        void run(long block, ByteBuffer buffer) throws IOException;
    }

    @Override
    public int blockSize() {
        return delegate.blockSize();
    }

    @Override
    public long blockCount() {
        return delegate.blockCount();
    }

    @Override
    public void read(long block, ByteBuffer dst) throws IOException {
        beforeRead.run(block, dst);
        delegate.read(block, dst);
    }

    @Override
    public void write(long block, ByteBuffer src) throws IOException {
        beforeWrite.run(block, src);
        delegate.write(block, src);
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }

    @Override
    public void unmap(long block, long blocks) throws IOException {
        delegate.unmap(block, blocks);
    }

    @Override
    public void resize(long newBlockCount) throws IOException {
        delegate.resize(newBlockCount);
    }

    @Override
    public Extent mappingStatus(long block) throws IOException {
        return delegate.mappingStatus(block);
    }

    @Override
    public boolean thinProvisioned() {
        return delegate.thinProvisioned();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
