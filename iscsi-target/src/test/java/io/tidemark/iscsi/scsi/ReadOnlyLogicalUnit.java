package io.tidemark.iscsi.scsi;

import io.tidemark.iscsi.spi.LogicalUnit;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A write-protected view of another unit for tests: reads forward, every mutating call is
 * counted and refused, so a test can assert that the SCSI layer never reached it.
 */
final class ReadOnlyLogicalUnit extends ForwardingLogicalUnit {

    private final AtomicInteger mutations = new AtomicInteger();

    ReadOnlyLogicalUnit(LogicalUnit delegate) {
        super(delegate);
    }

    /** Calls to write, unmap, writeSame and compareAndWrite that reached this unit. */
    int mutations() {
        return mutations.get();
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public CompletableFuture<Void> write(long lba, ByteBuffer src, boolean fua) {
        return refused();
    }

    @Override
    public CompletableFuture<Void> unmap(long lba, long blocks) {
        return refused();
    }

    @Override
    public CompletableFuture<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean unmap) {
        return refused();
    }

    @Override
    public CompletableFuture<Long> compareAndWrite(long lba, ByteBuffer compare, ByteBuffer data) {
        return refused();
    }

    private <T> CompletableFuture<T> refused() {
        mutations.incrementAndGet();
        return CompletableFuture.failedFuture(new IllegalStateException("read-only unit was asked to change"));
    }
}
