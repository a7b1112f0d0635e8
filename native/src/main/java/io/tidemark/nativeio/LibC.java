package io.tidemark.nativeio;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.annotations.Variadic;

/**
 * The libc functions Tidemark calls, bound through jnr-ffi. Pointers are passed as raw
 * addresses ({@code long}) so the hot path (pread/pwrite) allocates nothing per call. Public
 * only because jnr-ffi generates its implementation in another class loader: use
 * {@link NativeFile}.
 */
public interface LibC {

    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

    Runtime RUNTIME = Runtime.getRuntime(INSTANCE);

    @SaveError
    @Variadic(fixedCount = 2)
    int open(String path, int flags, int mode);

    @SaveError
    int close(int fd);

    @SaveError
    long pread(int fd, long buf, long count, long offset);

    @SaveError
    long pwrite(int fd, long buf, long count, long offset);

    @SaveError
    int fdatasync(int fd);

    @SaveError
    int fsync(int fd);

    @SaveError
    int fallocate(int fd, int mode, long offset, long length);

    @SaveError
    int ftruncate(int fd, long length);

    @SaveError
    long lseek(int fd, long offset, int whence);

    @SaveError
    @Variadic(fixedCount = 2)
    int ioctl(int fd, long request, long argp);

    @SaveError
    int statx(int dirfd, String path, int flags, int mask, long statxbuf);

    @IgnoreError
    String strerror(int errnum);

    /** errno of the last failed call on this thread. */
    static int errno() {
        return RUNTIME.getLastError();
    }
}
