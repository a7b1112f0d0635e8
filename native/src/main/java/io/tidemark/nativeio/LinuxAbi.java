package io.tidemark.nativeio;

import java.util.Locale;
import java.util.Map;

/**
 * Linux constants Tidemark passes to libc. All are identical on x86_64 and aarch64 except
 * O_DIRECT, which the asm-generic headers and x86 define differently.
 */
final class LinuxAbi {

    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_CLOEXEC = 02000000;

    /** O_DIRECT by {@code os.arch}: x86 uses 040000, the asm-generic value (arm64) is 0200000. */
    private static final Map<String, Integer> O_DIRECT_BY_ARCH = Map.of(
            "amd64", 040000,
            "x86_64", 040000,
            "aarch64", 0200000,
            "arm64", 0200000);

    static final int O_DIRECT = O_DIRECT_BY_ARCH.getOrDefault(
            System.getProperty("os.arch", "").toLowerCase(Locale.ROOT), -1);

    static final int FILE_MODE = 0644;

    static final int FALLOC_FL_KEEP_SIZE = 0x01;
    static final int FALLOC_FL_PUNCH_HOLE = 0x02;

    static final int SEEK_END = 2;
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;

    /** _IOR(0x12, 114, size_t): the device size in bytes into a u64. */
    static final long BLKGETSIZE64 = 0x80081272L;
    /** _IO(0x12, 119): discard the {u64 offset, u64 length} range the argument points to. */
    static final long BLKDISCARD = 0x1277L;
    /** _IO(0x12, 127): zero the {u64 offset, u64 length} range; the device may deallocate it. */
    static final long BLKZEROOUT = 0x127FL;
    /** _IO(0x12, 104): the logical sector size into an int. */
    static final long BLKSSZGET = 0x1268L;

    static final int AT_FDCWD = -100;
    static final int AT_EMPTY_PATH = 0x1000;

    private LinuxAbi() {
    }
}
