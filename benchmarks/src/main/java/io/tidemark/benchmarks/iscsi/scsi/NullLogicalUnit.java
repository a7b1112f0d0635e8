package io.tidemark.benchmarks.iscsi.scsi;

import io.tidemark.iscsi.spi.DurableState;
import io.tidemark.iscsi.spi.LogicalUnit;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A backstore that stores nothing and answers at once: what is left of a benchmark on top of
 * it is the cost of the layers above storage. Reads leave the buffer as it is. Thread-safe
 * (no state but the reservation blob, which is volatile).
 */
final class NullLogicalUnit implements LogicalUnit {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final long blockCount;
    private final DurableState reservations = new DurableState() {
        private volatile byte[] value = new byte[0];

        @Override
        public byte[] load() {
            return value.clone();
        }

        @Override
        public void store(byte[] bytes) {
            value = bytes.clone();
        }
    };

    NullLogicalUnit(long blockCount) {
        this.blockCount = blockCount;
    }

    @Override
    public int blockSize() {
        return 512;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public CompletableFuture<Void> read(long lba, ByteBuffer dst) {
        return DONE;
    }

    @Override
    public CompletableFuture<Void> write(long lba, ByteBuffer src, boolean fua) {
        return DONE;
    }

    @Override
    public CompletableFuture<Void> flush() {
        return DONE;
    }

    @Override
    public CompletableFuture<Void> unmap(long lba, long blocks) {
        return DONE;
    }

    @Override
    public CompletableFuture<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean unmap) {
        return DONE;
    }

    @Override
    public CompletableFuture<Long> compareAndWrite(long lba, ByteBuffer compare, ByteBuffer data) {
        return CompletableFuture.completedFuture(-1L);
    }

    @Override
    public LbaStatus lbaStatus(long lba) {
        return new LbaStatus(true, blockCount - lba);
    }

    @Override
    public DurableState reservationState() {
        return reservations;
    }
}
