package io.tidemark.appliance.lun;

import io.tidemark.iscsi.spi.DurableState;
import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.journal.store.BlockDevice;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import io.tidemark.nativeio.AlignedBuffers;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.StampedLock;

/**
 * Serves a {@link BlockDevice} with 512-byte logical blocks as an iSCSI {@link LogicalUnit}.
 * Every call runs on the caller's (worker) thread and returns an already completed future.
 *
 * <p>COMPARE AND WRITE atomicity: one read/write lock per unit. WRITE, UNMAP and WRITE SAME
 * take it shared (they still run concurrently with each other); COMPARE AND WRITE takes it
 * exclusively, so no write can land between its compare and its write. Chosen over LBA-range
 * lock striping because it is correct by inspection (no range arithmetic that could let an
 * ATS heartbeat race), costs an ordinary write one uncontended CAS pair, and a CAW (ATS
 * uses one block) holds it for only one block read and one block write. Reads take no lock.
 * All writes to the device must go through this unit for the guarantee to hold.
 *
 * <p>Thread-safe. Per-thread scratch buffers (CAW compare, WRITE SAME pattern) keep the
 * hot path free of allocations beyond the futures.
 */
public final class BlockDeviceUnit implements LogicalUnit, Closeable {

    public static final int LOGICAL_BLOCK_SIZE = 512;

    /** Largest chunk WRITE SAME writes at once; longer ranges repeat it. */
    private static final int PATTERN_BYTES = 256 * 1024;

    private static final ByteBuffer ZERO_BLOCK = ByteBuffer.allocate(LOGICAL_BLOCK_SIZE).asReadOnlyBuffer();

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final BlockDevice device;
    private final DurableState reservations;
    /** Shared by ordinary writes, exclusive for COMPARE AND WRITE. */
    private final StampedLock writeLock = new StampedLock();

    public BlockDeviceUnit(BlockDevice device, DurableState reservations) {
        if (device.blockSize() != LOGICAL_BLOCK_SIZE) {
            throw new IllegalArgumentException("device block size: " + device.blockSize()
                    + " (expected: " + LOGICAL_BLOCK_SIZE + ")");
        }
        this.device = device;
        this.reservations = reservations;
    }

    /**
     * Serves the existing volume file {@code image} (a whole number of 512-byte blocks), with
     * persistent reservations in {@code reservations}; {@code directIo} is {@code store.direct-io}.
     */
    public static BlockDeviceUnit openFile(Path image, Path reservations, boolean directIo) throws IOException {
        FileStore store = FileStore.open(image, StoreOptions.DEFAULTS.withDirectIo(directIo));
        return new BlockDeviceUnit(store, new FileDurableState(reservations));
    }

    /** Grows the device to {@code newSizeBytes} (a multiple of 512); the new size is visible at once. */
    public void grow(long newSizeBytes) throws IOException {
        if (newSizeBytes % LOGICAL_BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("new size: " + newSizeBytes + " (expected: a multiple of "
                    + LOGICAL_BLOCK_SIZE + ")");
        }
        device.resize(newSizeBytes / LOGICAL_BLOCK_SIZE);
    }

    /** The device behind this unit (to resize or flush it); write to it only through this unit. */
    public BlockDevice device() {
        return device;
    }

    @Override
    public int blockSize() {
        return LOGICAL_BLOCK_SIZE;
    }

    @Override
    public long blockCount() {
        return device.blockCount();
    }

    @Override
    public CompletableFuture<Void> read(long lba, ByteBuffer dst) {
        try {
            device.read(lba, dst);
            return CompletableFuture.completedFuture(null);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> write(long lba, ByteBuffer src, boolean fua) {
        try {
            long stamp = writeLock.readLock();
            try {
                device.write(lba, src);
            } finally {
                writeLock.unlockRead(stamp);
            }
            if (fua) {
                device.flush();
            }
            return CompletableFuture.completedFuture(null);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> flush() {
        try {
            device.flush();
            return CompletableFuture.completedFuture(null);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> unmap(long lba, long blocks) {
        try {
            long stamp = writeLock.readLock();
            try {
                device.unmap(lba, blocks);
            } finally {
                writeLock.unlockRead(stamp);
            }
            return CompletableFuture.completedFuture(null);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean unmap) {
        try {
            if (block.remaining() != LOGICAL_BLOCK_SIZE) {
                throw new IllegalArgumentException("WRITE SAME block length: " + block.remaining()
                        + " (expected: " + LOGICAL_BLOCK_SIZE + ")");
            }
            if (unmap && block.mismatch(ZERO_BLOCK) < 0) {
                return unmap(lba, blocks);
            }
            ByteBuffer pattern = SCRATCH.get().pattern(block, blocks);
            int patternBlocks = pattern.remaining() / LOGICAL_BLOCK_SIZE;
            long stamp = writeLock.readLock();
            try {
                for (long done = 0; done < blocks; done += patternBlocks) {
                    int chunk = (int) Math.min(patternBlocks, blocks - done);
                    device.write(lba + done, pattern.limit(chunk * LOGICAL_BLOCK_SIZE));
                }
            } finally {
                writeLock.unlockRead(stamp);
            }
            return CompletableFuture.completedFuture(null);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Long> compareAndWrite(long lba, ByteBuffer compare, ByteBuffer data) {
        try {
            int length = compare.remaining();
            if (data.remaining() != length) {
                throw new IllegalArgumentException("COMPARE AND WRITE data length: " + data.remaining()
                        + " (expected: " + length + ", the compare length)");
            }
            ByteBuffer current = SCRATCH.get().compare(length);
            long stamp = writeLock.writeLock();
            try {
                device.read(lba, current);
                long firstDifference = current.mismatch(compare);
                if (firstDifference >= 0) {
                    return CompletableFuture.completedFuture(firstDifference);
                }
                device.write(lba, data);
            } finally {
                writeLock.unlockWrite(stamp);
            }
            return CompletableFuture.completedFuture(-1L);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public LbaStatus lbaStatus(long lba) {
        try {
            BlockDevice.Extent extent = device.mappingStatus(lba);
            return new LbaStatus(extent.mapped(), extent.blocks());
        } catch (IOException e) {
            throw new UncheckedIOException("GET LBA STATUS at " + lba + " of " + device, e);
        }
    }

    @Override
    public DurableState reservationState() {
        return reservations;
    }

    /** Flushes, then closes the device. */
    @Override
    public void close() throws IOException {
        try {
            device.flush();
        } finally {
            device.close();
        }
    }

    @Override
    public String toString() {
        return "BlockDeviceUnit[" + device + "]";
    }

    /** One thread's reusable buffers. Not thread-safe: reached only through {@link #SCRATCH}. */
    private static final class Scratch {
        private ByteBuffer compare = AlignedBuffers.allocate(0);
        private ByteBuffer pattern;

        /** An aligned buffer of exactly {@code length} bytes (position 0). */
        ByteBuffer compare(int length) {
            if (compare.capacity() < length) {
                compare = AlignedBuffers.allocate(Math.max(length, 64 * 1024));
            }
            return compare.clear().limit(length);
        }

        /** {@code block} repeated min(blocks, capacity) times (position 0). */
        ByteBuffer pattern(ByteBuffer block, long blocks) {
            int copies = (int) Math.min(blocks, PATTERN_BYTES / LOGICAL_BLOCK_SIZE);
            int bytes = copies * LOGICAL_BLOCK_SIZE;
            if (pattern == null) {
                pattern = AlignedBuffers.allocate(PATTERN_BYTES);
            }
            pattern.clear().put(0, block, block.position(), Math.min(LOGICAL_BLOCK_SIZE, bytes));
            for (int filled = LOGICAL_BLOCK_SIZE; filled < bytes; filled *= 2) {
                pattern.put(filled, pattern, 0, Math.min(filled, bytes - filled));
            }
            return pattern.limit(bytes);
        }
    }
}
