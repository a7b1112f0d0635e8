package io.tidemark.journal.store;

import io.tidemark.nativeio.Errno;
import io.tidemark.nativeio.FileStatus;
import io.tidemark.nativeio.NativeFile;
import io.tidemark.nativeio.NativeIoException;
import io.tidemark.nativeio.OpenFlag;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A volume kept in a sparse file. Uses O_DIRECT when the file system supports it with
 * offsets aligned to the block size (else, or when {@link StoreOptions#directIo()} is false,
 * buffered I/O, made durable by fdatasync); UNMAP punches holes; the mapping status comes
 * from SEEK_DATA/SEEK_HOLE. Thread-safe (see {@link BlockDevice}).
 */
public final class FileStore extends NativeBlockStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileStore.class);

    /** Set once punching holes failed with EOPNOTSUPP: UNMAP then writes zeros instead. */
    private volatile boolean punchHoleUnsupported;

    private FileStore(NativeFile file, int blockSize, long blockCount, int memoryAlignment) {
        super(file, blockSize, blockCount, memoryAlignment);
    }

    /** Creates a new sparse file of {@code sizeBytes}, durably; fails when {@code path} exists. */
    public static FileStore create(Path path, long sizeBytes, StoreOptions options) throws IOException {
        if (sizeBytes <= 0 || sizeBytes % options.blockSize() != 0) {
            throw new IllegalArgumentException("size of " + path + ": " + sizeBytes
                    + " (expected: a positive multiple of the block size " + options.blockSize() + ")");
        }
        try (NativeFile created = NativeFile.open(path, OpenFlag.CREATE, OpenFlag.EXCLUSIVE)) {
            created.truncate(sizeBytes);
            created.fdatasync();
        }
        // the new directory entry survives a crash only once the directory is synced
        try (NativeFile directory = NativeFile.open(path.toAbsolutePath().getParent(), OpenFlag.READ_ONLY)) {
            directory.fsync();
        }
        return open(path, options);
    }

    /** Opens an existing volume file, whose size must be a whole number of blocks. */
    public static FileStore open(Path path, StoreOptions options) throws IOException {
        int blockSize = options.blockSize();
        IoMode mode = options.directIo() ? probeDirect(path, blockSize) : IoMode.buffered("store.direct-io is false");
        NativeFile file = mode.direct ? NativeFile.open(path, OpenFlag.DIRECT) : NativeFile.open(path);
        try {
            long size = file.size();
            if (size % blockSize != 0) {
                throw new IOException("size of " + path + ": " + size
                        + " (expected: a multiple of the block size " + blockSize + ")");
            }
            LOG.info("volume store {}: {} blocks of {} bytes, {}", path, size / blockSize, blockSize, mode.description);
            return new FileStore(file, blockSize, size / blockSize, mode.memoryAlignment);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Whether O_DIRECT works for this file with {@code blockSize}-aligned offsets, and its memory alignment. */
    private static IoMode probeDirect(Path path, int blockSize) throws IOException {
        NativeFile probe;
        try {
            probe = NativeFile.open(path, OpenFlag.DIRECT);
        } catch (NativeIoException e) {
            if (e.errno() == Errno.EINVAL) {
                return IoMode.buffered("the file system refuses O_DIRECT");
            }
            throw e;
        }
        try (probe) {
            FileStatus status = probe.status();
            if (!status.directIoReported()) {
                // kernels before 6.1 do not say; 4096 covers every device we expect
                return IoMode.direct(4096, "O_DIRECT (alignment not reported, assuming 4096-byte buffers)");
            }
            if (status.directIoOffsetAlign() == 0) {
                return IoMode.buffered("the file system does not support O_DIRECT for this file");
            }
            if (status.directIoOffsetAlign() > blockSize) {
                return IoMode.buffered("O_DIRECT needs " + status.directIoOffsetAlign()
                        + "-byte aligned offsets, more than the " + blockSize + "-byte blocks");
            }
            int memory = Math.max(1, status.directIoMemoryAlign());
            return IoMode.direct(memory, "O_DIRECT (offsets aligned to " + status.directIoOffsetAlign()
                    + ", buffers to " + memory + " bytes)");
        }
    }

    @Override
    public void unmap(long block, long blocks) throws IOException {
        long offset = checkBlocks(block, blocks);
        long length = blocks * blockSize;
        if (length == 0) {
            return;
        }
        if (!punchHoleUnsupported) {
            try {
                file.punchHole(offset, length);
                return;
            } catch (NativeIoException e) {
                if (e.errno() != Errno.EOPNOTSUPP) {
                    throw e;
                }
                punchHoleUnsupported = true;
                LOG.warn("volume store {}: the file system cannot punch holes, UNMAP writes zeros", file.path());
            }
        }
        writeZeros(offset, length);
    }

    /** Behaves as on a file system without hole punching (tests of the zero-writing fallback). */
    void disableHolePunching() {
        punchHoleUnsupported = true;
    }

    @Override
    public synchronized void resize(long newBlockCount) throws IOException {
        long current = blockCount();
        if (newBlockCount < current) {
            throw new IllegalArgumentException("new block count of " + file.path() + ": " + newBlockCount
                    + " (expected: >= " + current + ", shrinking is refused)");
        }
        if (newBlockCount == current) {
            return;
        }
        if (newBlockCount > Long.MAX_VALUE / blockSize) {
            throw new IllegalArgumentException("new block count: " + newBlockCount
                    + " (expected: <= " + Long.MAX_VALUE / blockSize + ")");
        }
        file.truncate(newBlockCount * blockSize);
        file.fdatasync();
        setBlockCount(newBlockCount);
        LOG.info("volume store {}: grown from {} to {} blocks", file.path(), current, newBlockCount);
    }

    @Override
    public Extent mappingStatus(long block) throws IOException {
        long count = blockCount();
        if (block < 0 || block >= count) {
            throw new IllegalArgumentException("block: " + block + " (expected: 0.." + (count - 1) + ")");
        }
        long offset = block * blockSize;
        long end = count * blockSize;
        long data = file.seekData(offset);
        if (data < 0 || data >= end) {
            return new Extent(false, count - block);
        }
        if (data - offset >= blockSize) {
            return new Extent(false, (data - offset) / blockSize);
        }
        long hole = file.seekHole(offset);
        long mappedEnd = hole < 0 ? end : Math.min(hole, end);
        return new Extent(true, Math.max(1, (mappedEnd - offset + blockSize - 1) / blockSize));
    }

    @Override
    public boolean thinProvisioned() {
        return true;
    }

    @Override
    public String toString() {
        return "FileStore[" + file.path() + ", " + blockCount() + " x " + blockSize + (directIo() ? ", O_DIRECT]" : ", buffered]");
    }

    private record IoMode(boolean direct, int memoryAlignment, String description) {
        static IoMode direct(int memoryAlignment, String description) {
            return new IoMode(true, memoryAlignment, description);
        }

        static IoMode buffered(String reason) {
            return new IoMode(false, 1, "buffered I/O + fdatasync (" + reason + ")");
        }
    }
}
