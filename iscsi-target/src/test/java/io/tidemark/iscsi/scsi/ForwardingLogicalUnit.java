package io.tidemark.iscsi.scsi;

import io.tidemark.iscsi.spi.DurableState;
import io.tidemark.iscsi.spi.LogicalUnit;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** A {@link LogicalUnit} that hands every call to another; tests override the calls they disturb. */
class ForwardingLogicalUnit implements LogicalUnit {

    protected final LogicalUnit delegate;

    ForwardingLogicalUnit(LogicalUnit delegate) {
        this.delegate = delegate;
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
    public CompletableFuture<Void> read(long lba, ByteBuffer dst) {
        return delegate.read(lba, dst);
    }

    @Override
    public CompletableFuture<Void> write(long lba, ByteBuffer src, boolean fua) {
        return delegate.write(lba, src, fua);
    }

    @Override
    public CompletableFuture<Void> flush() {
        return delegate.flush();
    }

    @Override
    public CompletableFuture<Void> unmap(long lba, long blocks) {
        return delegate.unmap(lba, blocks);
    }

    @Override
    public CompletableFuture<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean unmap) {
        return delegate.writeSame(lba, blocks, block, unmap);
    }

    @Override
    public CompletableFuture<Long> compareAndWrite(long lba, ByteBuffer compare, ByteBuffer data) {
        return delegate.compareAndWrite(lba, compare, data);
    }

    @Override
    public LbaStatus lbaStatus(long lba) {
        return delegate.lbaStatus(lba);
    }

    @Override
    public DurableState reservationState() {
        return delegate.reservationState();
    }
}
