package io.tidemark.journal.store;

import io.tidemark.nativeio.FileStatus;
import io.tidemark.nativeio.NativeFile;
import io.tidemark.nativeio.OpenFlag;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A volume on a raw block device (a disk, partition, LV or loop device). Its size comes from
 * BLKGETSIZE64 and is fixed; I/O uses O_DIRECT unless the device's logical sectors are
 * larger than the block size or {@link StoreOptions#directIo()} is false. UNMAP follows
 * {@link UnmapMode}. The device cannot say which blocks are mapped: all are reported mapped.
 * Thread-safe (see {@link BlockDevice}).
 */
public final class RawDeviceStore extends NativeBlockStore {

    private static final Logger LOG = LoggerFactory.getLogger(RawDeviceStore.class);

    /** How UNMAP deallocates a range of a raw device. */
    public enum UnmapMode {
        /**
         * ioctl BLKZEROOUT: later reads return zeros, as SCSI UNMAP on a thin LUN promises
         * (LBPRZ); the kernel lets the device deallocate the range where it can.
         */
        ZERO_OUT,
        /**
         * ioctl BLKDISCARD: the cheapest, but a device may return old data after a discard;
         * only for devices known to read discarded blocks as zeros (loop devices, thin LVs).
         */
        DISCARD
    }

    private final UnmapMode unmapMode;

    private RawDeviceStore(NativeFile file, int blockSize, long blockCount, int memoryAlignment, UnmapMode unmapMode) {
        super(file, blockSize, blockCount, memoryAlignment);
        this.unmapMode = unmapMode;
    }

    /**
     * Opens the block device at {@code path}. A path that is not a block device fails with the
     * ioctl's error (ENOTTY for a regular file).
     */
    public static RawDeviceStore open(Path path, StoreOptions options, UnmapMode unmapMode) throws IOException {
        int blockSize = options.blockSize();
        NativeFile file = options.directIo() ? NativeFile.open(path, OpenFlag.DIRECT) : NativeFile.open(path);
        try {
            long size = file.blockDeviceSize();
            int sector = file.blockDeviceSectorSize();
            if (size % blockSize != 0) {
                throw new IOException("size of block device " + path + ": " + size
                        + " (expected: a multiple of the block size " + blockSize + ")");
            }
            int memoryAlignment = 1;
            String mode = "buffered I/O + fdatasync (store.direct-io is false)";
            if (file.direct() && sector > blockSize) {
                // sub-sector O_DIRECT writes fail: let the page cache do the read-modify-write
                file.close();
                file = NativeFile.open(path);
                mode = "buffered I/O + fdatasync (sector size " + sector + " > block size " + blockSize + ")";
            } else if (file.direct()) {
                FileStatus status = file.status();
                memoryAlignment = status.directIoReported() && status.directIoMemoryAlign() > 0
                        ? status.directIoMemoryAlign() : Math.max(sector, 512);
                mode = "O_DIRECT (sector size " + sector + ", buffers aligned to " + memoryAlignment + " bytes)";
            }
            LOG.info("volume store {}: block device, {} blocks of {} bytes, {}, UNMAP by {}",
                    path, size / blockSize, blockSize, mode, unmapMode);
            return new RawDeviceStore(file, blockSize, size / blockSize, memoryAlignment, unmapMode);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Opens with O_DIRECT where possible and UNMAP by {@link UnmapMode#ZERO_OUT}. */
    public static RawDeviceStore open(Path path) throws IOException {
        return open(path, StoreOptions.DEFAULTS, UnmapMode.ZERO_OUT);
    }

    public UnmapMode unmapMode() {
        return unmapMode;
    }

    @Override
    public void unmap(long block, long blocks) throws IOException {
        long offset = checkBlocks(block, blocks);
        if (blocks == 0) {
            return;
        }
        long length = blocks * blockSize;
        if (unmapMode == UnmapMode.DISCARD) {
            file.discard(offset, length);
        } else {
            file.zeroOut(offset, length);
        }
    }

    /** Always refused: the device's size is fixed by the device. */
    @Override
    public void resize(long newBlockCount) throws IOException {
        throw new UnsupportedOperationException("resize of block device " + file.path() + " to " + newBlockCount
                + " blocks: a raw device's size is fixed at " + blockCount() + " blocks");
    }

    @Override
    public Extent mappingStatus(long block) {
        long count = blockCount();
        if (block < 0 || block >= count) {
            throw new IllegalArgumentException("block: " + block + " (expected: 0.." + (count - 1) + ")");
        }
        return new Extent(true, count - block);
    }

    @Override
    public boolean thinProvisioned() {
        return false;
    }

    @Override
    public String toString() {
        return "RawDeviceStore[" + file.path() + ", " + blockCount() + " x " + blockSize + (directIo() ? ", O_DIRECT]" : ", buffered]");
    }
}
