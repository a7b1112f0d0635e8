package io.tidemark.nativeio;

import static io.tidemark.nativeio.LinuxAbi.*;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file descriptor with positional I/O through libc. Every failed call throws a
 * {@link NativeIoException} naming the call, the path and errno.
 *
 * <p>Thread-safe: pread/pwrite carry their own offset, so any number of threads may read and
 * write at once. {@link #close()} may race with I/O: calls in flight finish on the open
 * descriptor, the last one out closes it, and later calls fail with EBADF, so a descriptor
 * number reused by another open is never written through this object.
 */
public final class NativeFile implements Closeable {

    private static final LibC LIBC = LibC.INSTANCE;

    private final Path path;
    private final String name;
    private final boolean direct;
    private final int fd;
    /** Calls in flight on {@link #fd}, plus {@link #CLOSED} once close() was called. */
    private final AtomicInteger users = new AtomicInteger();

    private static final int CLOSED = Integer.MIN_VALUE;

    private NativeFile(Path path, int fd, boolean direct) {
        this.path = path;
        this.name = path.toString();
        this.fd = fd;
        this.direct = direct;
    }

    /** Opens {@code path} read-write (or read-only) with the given options. */
    public static NativeFile open(Path path, OpenFlag... options) throws NativeIoException {
        EnumSet<OpenFlag> set = options.length == 0 ? EnumSet.noneOf(OpenFlag.class)
                : EnumSet.copyOf(Arrays.asList(options));
        int flags = O_CLOEXEC | (set.contains(OpenFlag.READ_ONLY) ? O_RDONLY : O_RDWR);
        for (OpenFlag flag : set) {
            if (flag.bits < 0) {
                throw new NativeIoException("open(" + flag + " on " + System.getProperty("os.arch") + ")",
                        path.toString(), Errno.EINVAL);
            }
            flags |= flag.bits;
        }
        boolean direct = set.contains(OpenFlag.DIRECT);
        String name = path.toString();
        int fd;
        do {
            fd = LIBC.open(name, flags, FILE_MODE);
        } while (fd < 0 && LibC.errno() == Errno.EINTR);
        if (fd < 0) {
            throw new NativeIoException("open(flags=0" + Integer.toOctalString(flags) + ")", name, LibC.errno());
        }
        return new NativeFile(path, fd, direct);
    }

    public Path path() {
        return path;
    }

    /** True when opened with O_DIRECT. */
    public boolean direct() {
        return direct;
    }

    /**
     * Reads into {@code dst} (direct) from position to limit, starting at file {@code offset},
     * until the range is full or end of file. The buffer's position is not changed.
     *
     * @return the bytes read; fewer than {@code dst.remaining()} only at end of file
     */
    public int read(ByteBuffer dst, long offset) throws NativeIoException {
        return read(AlignedBuffers.address(dst) + dst.position(), dst.remaining(), offset);
    }

    /** Reads {@code length} bytes to native memory at {@code address}; see {@link #read(ByteBuffer, long)}. */
    public int read(long address, int length, long offset) throws NativeIoException {
        acquire();
        try {
            return readAcquired(address, length, offset);
        } finally {
            release();
        }
    }

    private int readAcquired(long address, int length, long offset) throws NativeIoException {
        int done = 0;
        while (done < length) {
            long n = LIBC.pread(fd, address + done, length - done, offset + done);
            if (n > 0) {
                done += (int) n;
            } else if (n == 0) {
                break;
            } else {
                int errno = LibC.errno();
                if (errno != Errno.EINTR) {
                    throw new NativeIoException("pread(offset=" + (offset + done) + ", length=" + (length - done) + ")",
                            name, errno);
                }
            }
        }
        return done;
    }

    /** Writes all of {@code src} (direct, position to limit) at file {@code offset}; the position is not changed. */
    public void write(ByteBuffer src, long offset) throws NativeIoException {
        write(AlignedBuffers.address(src) + src.position(), src.remaining(), offset);
    }

    /** Writes {@code length} bytes from native memory at {@code address} at file {@code offset}. */
    public void write(long address, int length, long offset) throws NativeIoException {
        acquire();
        try {
            writeAcquired(address, length, offset);
        } finally {
            release();
        }
    }

    private void writeAcquired(long address, int length, long offset) throws NativeIoException {
        int done = 0;
        while (done < length) {
            long n = LIBC.pwrite(fd, address + done, length - done, offset + done);
            if (n > 0) {
                done += (int) n;
            } else {
                // pwrite never returns 0 for a non-empty request unless the device is full
                int errno = n == 0 ? Errno.ENOSPC : LibC.errno();
                if (errno != Errno.EINTR) {
                    throw new NativeIoException("pwrite(offset=" + (offset + done) + ", length=" + (length - done) + ")",
                            name, errno);
                }
            }
        }
    }

    /** Makes written data (and the metadata needed to read it back) durable. */
    public void fdatasync() throws NativeIoException {
        acquire();
        try {
            check(LIBC.fdatasync(fd), "fdatasync()");
        } finally {
            release();
        }
    }

    /** Makes data and all metadata durable (also for directories opened READ_ONLY). */
    public void fsync() throws NativeIoException {
        acquire();
        try {
            check(LIBC.fsync(fd), "fsync()");
        } finally {
            release();
        }
    }

    /** Deallocates the range; later reads return zeros; the file size does not change. */
    public void punchHole(long offset, long length) throws NativeIoException {
        acquire();
        try {
            if (LIBC.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length) < 0) {
                throw new NativeIoException("fallocate(PUNCH_HOLE|KEEP_SIZE, offset=" + offset + ", length=" + length
                        + ")", name, LibC.errno());
            }
        } finally {
            release();
        }
    }

    /** Sets the file size (growing leaves a hole). */
    public void truncate(long size) throws NativeIoException {
        acquire();
        try {
            if (LIBC.ftruncate(fd, size) < 0) {
                throw new NativeIoException("ftruncate(length=" + size + ")", name, LibC.errno());
            }
        } finally {
            release();
        }
    }

    /** Size in bytes via lseek(SEEK_END); works for regular files and block devices. */
    public long size() throws NativeIoException {
        acquire();
        try {
            long size = LIBC.lseek(fd, 0, SEEK_END);
            if (size < 0) {
                throw new NativeIoException("lseek(SEEK_END)", name, LibC.errno());
            }
            return size;
        } finally {
            release();
        }
    }

    /** The first offset at or after {@code offset} holding data, or -1 when only holes follow. */
    public long seekData(long offset) throws NativeIoException {
        return seek(offset, SEEK_DATA, "lseek(SEEK_DATA, offset=");
    }

    /** The first offset at or after {@code offset} in a hole (end of file counts), or -1 past end of file. */
    public long seekHole(long offset) throws NativeIoException {
        return seek(offset, SEEK_HOLE, "lseek(SEEK_HOLE, offset=");
    }

    private long seek(long offset, int whence, String call) throws NativeIoException {
        acquire();
        try {
            long result = LIBC.lseek(fd, offset, whence);
            if (result < 0) {
                int errno = LibC.errno();
                if (errno == Errno.ENXIO) {
                    return -1;
                }
                throw new NativeIoException(call + offset + ")", name, errno);
            }
            return result;
        } finally {
            release();
        }
    }

    /** Size of a block device in bytes (ioctl BLKGETSIZE64); fails with ENOTTY on a regular file. */
    public long blockDeviceSize() throws NativeIoException {
        ByteBuffer out = AlignedBuffers.allocate(Long.BYTES, Long.BYTES).order(ByteOrder.nativeOrder());
        ioctl(BLKGETSIZE64, out, "ioctl(BLKGETSIZE64)");
        return out.getLong(0);
    }

    /** Logical sector size of a block device (ioctl BLKSSZGET); fails with ENOTTY on a regular file. */
    public int blockDeviceSectorSize() throws NativeIoException {
        ByteBuffer out = AlignedBuffers.allocate(Integer.BYTES, Integer.BYTES).order(ByteOrder.nativeOrder());
        ioctl(BLKSSZGET, out, "ioctl(BLKSSZGET)");
        return out.getInt(0);
    }

    /** Discards a block device range (ioctl BLKDISCARD); both values must be sector-aligned. */
    public void discard(long offset, long length) throws NativeIoException {
        ByteBuffer range = AlignedBuffers.allocate(2 * Long.BYTES, Long.BYTES).order(ByteOrder.nativeOrder());
        range.putLong(0, offset).putLong(Long.BYTES, length);
        ioctl(BLKDISCARD, range, "ioctl(BLKDISCARD, offset=" + offset + ", length=" + length + ")");
    }

    /**
     * Zeroes a block device range (ioctl BLKZEROOUT): reads return zeros afterwards, which
     * BLKDISCARD does not promise; the device may still deallocate the range.
     */
    public void zeroOut(long offset, long length) throws NativeIoException {
        ByteBuffer range = AlignedBuffers.allocate(2 * Long.BYTES, Long.BYTES).order(ByteOrder.nativeOrder());
        range.putLong(0, offset).putLong(Long.BYTES, length);
        ioctl(BLKZEROOUT, range, "ioctl(BLKZEROOUT, offset=" + offset + ", length=" + length + ")");
    }

    /** File type, size and the O_DIRECT alignment the kernel requires (statx). */
    public FileStatus status() throws NativeIoException {
        ByteBuffer statx = StatxLayout.allocate();
        acquire();
        try {
            check(LIBC.statx(fd, "", AT_EMPTY_PATH, StatxLayout.REQUEST_MASK, AlignedBuffers.address(statx)),
                    "statx(AT_EMPTY_PATH)");
        } finally {
            release();
        }
        return StatxLayout.decode(statx);
    }

    /**
     * Closes the descriptor; idempotent. Calls in flight finish first: the last of them closes
     * the descriptor (ignoring close errors), else this call does.
     */
    @Override
    public void close() throws IOException {
        int before = users.getAndUpdate(u -> u | CLOSED);
        if (before == 0) {
            closeDescriptor(true);
        }
    }

    /** True once {@link #close()} was called. */
    public boolean closed() {
        return users.get() < 0;
    }

    @Override
    public String toString() {
        return "NativeFile[" + name + (direct ? ", O_DIRECT" : "") + (closed() ? ", closed" : "") + "]";
    }

    private void ioctl(long request, ByteBuffer argument, String call) throws NativeIoException {
        acquire();
        try {
            if (LIBC.ioctl(fd, request, AlignedBuffers.address(argument)) < 0) {
                throw new NativeIoException(call, name, LibC.errno());
            }
        } finally {
            release();
        }
    }

    private void acquire() throws NativeIoException {
        for (;;) {
            int current = users.get();
            if (current < 0) {
                throw new NativeIoException("use after close()", name, Errno.EBADF);
            }
            if (users.compareAndSet(current, current + 1)) {
                return;
            }
        }
    }

    private void release() throws NativeIoException {
        if (users.decrementAndGet() == CLOSED) {
            closeDescriptor(false);
        }
    }

    private void closeDescriptor(boolean report) throws NativeIoException {
        // close(2) must not be retried on EINTR: the descriptor is gone either way
        if (LIBC.close(fd) < 0 && report) {
            int errno = LibC.errno();
            if (errno != Errno.EINTR) {
                throw new NativeIoException("close()", name, errno);
            }
        }
    }

    private void check(int result, String call) throws NativeIoException {
        if (result < 0) {
            throw new NativeIoException(call, name, LibC.errno());
        }
    }
}
