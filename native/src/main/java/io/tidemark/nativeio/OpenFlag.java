package io.tidemark.nativeio;

/** How {@link NativeFile#open} opens a file (read-write unless READ_ONLY). */
public enum OpenFlag {
    /** O_RDONLY instead of O_RDWR. */
    READ_ONLY(0),
    /** O_CREAT with mode 0644. */
    CREATE(LinuxAbi.O_CREAT),
    /** With CREATE: O_EXCL, fail with EEXIST when the file exists. */
    EXCLUSIVE(LinuxAbi.O_EXCL),
    /** O_DIRECT: bypass the page cache; buffers, offsets and lengths must be aligned. */
    DIRECT(LinuxAbi.O_DIRECT);

    /** The open(2) flag bits this option adds (-1: unknown on this architecture). */
    final int bits;

    OpenFlag(int bits) {
        this.bits = bits;
    }
}
