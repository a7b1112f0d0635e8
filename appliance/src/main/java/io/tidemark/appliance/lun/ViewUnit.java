package io.tidemark.appliance.lun;

import io.tidemark.iscsi.scsi.CheckCondition;
import io.tidemark.iscsi.scsi.SenseCode;
import io.tidemark.iscsi.spi.DurableState;
import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.replicator.dr.PitView;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One volume of a point-in-time view as a read-only iSCSI {@link LogicalUnit}. Reads go to
 * {@link PitView#read} on the caller's (worker) thread; every call that would change the
 * medium fails at once with DATA PROTECT / WRITE PROTECTED and never reaches the view (the
 * SCSI layer already refuses those commands because {@link #readOnly()} is true; this is the
 * second line). SYNCHRONIZE CACHE succeeds: there is nothing to make durable.
 *
 * <p>The view's size is fixed at its sequence, so block size and count are read once. The
 * view is shared by every LUN of its group: {@link #close()} only stops this unit, the
 * appliance closes the view itself once. Thread-safe (as {@link PitView} is).
 */
public final class ViewUnit implements LogicalUnit, Closeable {

    private final PitView view;
    private final int volumeId;
    private final DurableState reservations;
    private final int blockSize;
    private final long blockCount;
    private final long sequence;
    private volatile boolean closed;

    /**
     * @param view         the pinned view (owned by the caller)
     * @param volumeId     the group volume this LUN presents
     * @param reservations persistent reservations of this LUN (in memory is fine: a view is
     *                     throw-away)
     * @throws IllegalArgumentException when the view has no such volume
     */
    public ViewUnit(PitView view, int volumeId, DurableState reservations) {
        this.view = view;
        this.volumeId = volumeId;
        this.reservations = reservations;
        this.blockSize = view.blockSize();
        this.blockCount = view.blockCount(volumeId);
        this.sequence = view.sequence();
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("view block size: " + blockSize + " (expected: a power of two)");
        }
    }

    /** The group volume this unit presents. */
    public int volumeId() {
        return volumeId;
    }

    /** The sequence of the view this unit reads. */
    public long sequence() {
        return sequence;
    }

    /**
     * Reservation state kept in memory, for views: they are gone after a restart anyway, so
     * their reservations need not outlive the process.
     */
    public static DurableState inMemoryReservations() {
        return new MemoryReservations();
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public CompletableFuture<Void> read(long lba, ByteBuffer dst) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException(this + " is closed"));
        }
        try {
            view.read(volumeId, lba, dst);
            return CompletableFuture.completedFuture(null);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> write(long lba, ByteBuffer src, boolean fua) {
        return writeProtected();
    }

    /** Nothing was written, so nothing is waiting to become durable. */
    @Override
    public CompletableFuture<Void> flush() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> unmap(long lba, long blocks) {
        return writeProtected();
    }

    @Override
    public CompletableFuture<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean unmap) {
        return writeProtected();
    }

    @Override
    public CompletableFuture<Long> compareAndWrite(long lba, ByteBuffer compare, ByteBuffer data) {
        return writeProtected();
    }

    /** Mapped everywhere: a view is not thin-provisioned (the target reports no provisioning for it). */
    @Override
    public LbaStatus lbaStatus(long lba) {
        if (lba < 0 || lba >= blockCount) {
            throw new IllegalArgumentException("lba: " + lba + " (expected: 0.." + (blockCount - 1) + ")");
        }
        return new LbaStatus(true, blockCount - lba);
    }

    @Override
    public DurableState reservationState() {
        return reservations;
    }

    /** Stops serving reads; the view stays open (its owner closes it). Idempotent. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "view unit of volume " + volumeId + " at sequence " + sequence;
    }

    private static <T> CompletableFuture<T> writeProtected() {
        return CompletableFuture.failedFuture(CheckCondition.of(SenseCode.WRITE_PROTECTED));
    }

    /** Thread-safe: the value is replaced as a whole through a volatile reference. */
    private static final class MemoryReservations implements DurableState {
        private volatile byte[] value = new byte[0];

        @Override
        public byte[] load() {
            return value.clone();
        }

        @Override
        public void store(byte[] newValue) {
            value = newValue.clone();
        }
    }
}
