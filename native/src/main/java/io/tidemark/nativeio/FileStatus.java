package io.tidemark.nativeio;

/**
 * What statx(2) says about an open file.
 *
 * @param type            regular file, block device, ...
 * @param size            size in bytes (0 for block devices: ask BLKGETSIZE64)
 * @param ioBlockSize     the preferred I/O size (st_blksize)
 * @param directIoOffsetAlign required alignment of file offsets and lengths for O_DIRECT,
 *                        0 when the file does not support O_DIRECT or the kernel did not say
 * @param directIoMemoryAlign required alignment of buffer addresses for O_DIRECT, 0 likewise
 * @param directIoReported whether the kernel filled in the two O_DIRECT fields (Linux 6.1+)
 */
public record FileStatus(FileType type, long size, int ioBlockSize,
        int directIoOffsetAlign, int directIoMemoryAlign, boolean directIoReported) {

    public enum FileType { REGULAR, BLOCK_DEVICE, DIRECTORY, OTHER }
}
