package io.tidemark.nativeio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The part of {@code struct statx} (linux/stat.h, 256 bytes, native byte order) Tidemark reads.
 *
 * <pre>
 *   0               4               8                              16
 *   +---------------+---------------+------------------------------+
 *   | stx_mask      | stx_blksize   | stx_attributes                |
 *  16               20              24              28      30      32
 *   +---------------+---------------+---------------+-------+-------+
 *   | stx_nlink     | stx_uid       | stx_gid       | mode  | spare |
 *  32                              40                              48
 *   +------------------------------+-------------------------------+
 *   | stx_ino                       | stx_size                      |
 *  48 stx_blocks, 56 stx_attributes_mask, 64..127 atime/btime/ctime/mtime (16 bytes each),
 * 128 rdev_major, 132 rdev_minor, 136 dev_major, 140 dev_minor, 144 stx_mnt_id (8)
 * 152               156             160
 *   +---------------+---------------+
 *   | dio_mem_align | dio_offset_al.|  ... spare up to 256
 *   +---------------+---------------+
 * </pre>
 */
final class StatxLayout {

    static final int SIZE = 256;

    static final int MASK_OFFSET = 0;
    static final int BLKSIZE_OFFSET = 4;
    static final int MODE_OFFSET = 28;
    static final int FILE_SIZE_OFFSET = 40;
    static final int DIO_MEM_ALIGN_OFFSET = 152;
    static final int DIO_OFFSET_ALIGN_OFFSET = 156;

    static final int STATX_TYPE = 0x0001;
    static final int STATX_MODE = 0x0002;
    static final int STATX_SIZE = 0x0200;
    static final int STATX_DIOALIGN = 0x2000;
    static final int REQUEST_MASK = STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_DIOALIGN;

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFDIR = 0040000;

    private StatxLayout() {
    }

    static ByteBuffer allocate() {
        return AlignedBuffers.allocate(SIZE, 8).order(ByteOrder.nativeOrder());
    }

    static FileStatus decode(ByteBuffer statx) {
        int mask = statx.getInt(MASK_OFFSET);
        int mode = Short.toUnsignedInt(statx.getShort(MODE_OFFSET));
        boolean dio = (mask & STATX_DIOALIGN) != 0;
        return new FileStatus(type(mode), statx.getLong(FILE_SIZE_OFFSET), statx.getInt(BLKSIZE_OFFSET),
                dio ? statx.getInt(DIO_OFFSET_ALIGN_OFFSET) : 0,
                dio ? statx.getInt(DIO_MEM_ALIGN_OFFSET) : 0, dio);
    }

    private static FileStatus.FileType type(int mode) {
        return switch (mode & S_IFMT) {
            case S_IFREG -> FileStatus.FileType.REGULAR;
            case S_IFBLK -> FileStatus.FileType.BLOCK_DEVICE;
            case S_IFDIR -> FileStatus.FileType.DIRECTORY;
            default -> FileStatus.FileType.OTHER;
        };
    }
}
