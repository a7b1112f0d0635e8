package io.tidemark.appliance.lun;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.iscsi.spi.DurableState;
import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.journal.GroupConfig;
import io.tidemark.journal.GroupVolume;
import io.tidemark.journal.store.BlockDevice;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Serves one volume of a {@link ConsistencyGroup} as an iSCSI {@link LogicalUnit}: every
 * WRITE, UNMAP, WRITE SAME and COMPARE AND WRITE goes through the group's ring (journaled,
 * applied, then completed; FUA and SYNCHRONIZE CACHE after the journal's fdatasync), and reads
 * wait for overlapping writes still in the ring before reading the store. COMPARE AND WRITE
 * is atomic by its place in the group's order, with no lock.
 *
 * <p>Buffers handed to the write calls must stay unchanged until their future completes (the
 * ring carries them to the journal and the store without a copy). Thread-safe.
 */
public final class JournaledUnit implements LogicalUnit, Closeable {

    public static final int LOGICAL_BLOCK_SIZE = 512;

    private static final ByteBuffer ZERO_BLOCK = ByteBuffer.allocate(LOGICAL_BLOCK_SIZE).asReadOnlyBuffer();

    private final ConsistencyGroup group;
    private final int volumeId;
    private final BlockDevice device;
    private final DurableState reservations;
    private final boolean ownsGroup;

    /**
     * A unit over volume {@code volumeId} of {@code group}, whose store is {@code device}. With
     * {@code ownsGroup} (one group per volume) {@link #close()} closes the group, then the device.
     */
    public JournaledUnit(ConsistencyGroup group, int volumeId, BlockDevice device, DurableState reservations,
                         boolean ownsGroup) {
        if (device.blockSize() != LOGICAL_BLOCK_SIZE) {
            throw new IllegalArgumentException("device block size: " + device.blockSize()
                    + " (expected: " + LOGICAL_BLOCK_SIZE + ")");
        }
        this.group = group;
        this.volumeId = volumeId;
        this.device = device;
        this.reservations = reservations;
        this.ownsGroup = ownsGroup;
    }

    /**
     * Opens the volume file {@code image} as the only volume of its own group (volume id =
     * {@code config.groupId()}, journal in {@code config.directory()}), recovering the journal
     * tail into it first; reservations in {@code reservations}; {@code directIo} is store.direct-io.
     */
    public static JournaledUnit openFile(Path image, Path reservations, boolean directIo, GroupConfig config,
                                         MeterRegistry registry) throws IOException {
        FileStore store = FileStore.open(image, StoreOptions.DEFAULTS.withDirectIo(directIo));
        try {
            ConsistencyGroup group = ConsistencyGroup.open(config,
                    List.of(new GroupVolume(config.groupId(), config.name(), store)), registry);
            return new JournaledUnit(group, config.groupId(), store, new FileDurableState(reservations), true);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The group behind this unit (journal position, size, consumers). */
    public ConsistencyGroup group() {
        return group;
    }

    /** The store behind this unit; write to it only through this unit. */
    public BlockDevice device() {
        return device;
    }

    /** Grows the store to {@code newSizeBytes} (a multiple of 512); the new size is visible at once. */
    public void grow(long newSizeBytes) throws IOException {
        if (newSizeBytes % LOGICAL_BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("new size: " + newSizeBytes + " (expected: a multiple of "
                    + LOGICAL_BLOCK_SIZE + ")");
        }
        device.resize(newSizeBytes / LOGICAL_BLOCK_SIZE);
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
            group.read(volumeId, lba, dst);
            return CompletableFuture.completedFuture(null);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> write(long lba, ByteBuffer src, boolean fua) {
        try {
            return group.write(volumeId, lba, src, fua).thenApply(seq -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> flush() {
        return group.flush().thenApply(seq -> null);
    }

    @Override
    public CompletableFuture<Void> unmap(long lba, long blocks) {
        try {
            return group.unmap(volumeId, lba, blocks).thenApply(seq -> null);
        } catch (RuntimeException e) {
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
            return group.writeSame(volumeId, lba, blocks, block).thenApply(seq -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Long> compareAndWrite(long lba, ByteBuffer compare, ByteBuffer data) {
        try {
            return group.compareAndWrite(volumeId, lba, compare, data);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public LbaStatus lbaStatus(long lba) {
        try {
            // the store may not have applied a completed UNMAP or write yet: a read waits for overlapping ones
            group.read(volumeId, lba, ByteBuffer.allocate(LOGICAL_BLOCK_SIZE));
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

    /** With its own group: drains and closes the group (journal synced, store flushed, checkpointed), then the store. */
    @Override
    public void close() throws IOException {
        if (!ownsGroup) {
            return;
        }
        try {
            group.close();
        } finally {
            device.close();
        }
    }

    @Override
    public String toString() {
        return "JournaledUnit[" + group.name() + ", volume " + volumeId + ", " + device + "]";
    }
}
