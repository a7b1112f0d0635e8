package io.tidemark.iscsi.scsi;

/**
 * The LBA and block count of a block command, decoded from its CDB by size.
 *
 * <pre>
 *  6-byte:  LBA  byte 1 (bits 4..0) .. 3   TRANSFER LENGTH byte 4 (0 means 256 for READ/WRITE)
 *  10-byte: LBA  bytes 2..5                TRANSFER LENGTH bytes 7..8
 *  12-byte: LBA  bytes 2..5                TRANSFER LENGTH bytes 6..9
 *  16-byte: LBA  bytes 2..9                TRANSFER LENGTH bytes 10..13
 * </pre>
 *
 * @param lba             first logical block
 * @param blocks          number of blocks
 * @param lengthOffset    CDB byte where the length field starts (for field pointers)
 */
record BlockRange(long lba, long blocks, int lengthOffset) {

    static BlockRange decode(Task t, boolean zeroMeans256) {
        byte[] cdb = t.cdb;
        int size = cdbSize(cdb[0] & 0xff);
        t.requireCdbLength(size);
        return switch (size) {
            case 6 -> {
                long len = cdb[4] & 0xff;
                yield new BlockRange(Cdb.u24(cdb, 1) & 0x1fffff, len == 0 && zeroMeans256 ? 256 : len, 4);
            }
            case 10 -> new BlockRange(Cdb.u32(cdb, 2), Cdb.u16(cdb, 7), 7);
            case 12 -> new BlockRange(Cdb.u32(cdb, 2), Cdb.u32(cdb, 6), 6);
            default -> new BlockRange(Cdb.u64(cdb, 2), Cdb.u32(cdb, 10), 10);
        };
    }

    /** CDB size from the group code in the opcode's top three bits (SPC-4 4.2.5.1). */
    static int cdbSize(int opcode) {
        return switch (opcode >>> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            default -> throw CheckCondition.of(SenseCode.INVALID_COMMAND_OPERATION_CODE);
        };
    }

    /** LOGICAL BLOCK ADDRESS OUT OF RANGE unless the whole range lies within {@code capacity} blocks. */
    BlockRange checkWithin(long capacity) {
        if (lba < 0 || lba > capacity || blocks > capacity - lba) {
            throw CheckCondition.lbaOutOfRange(lba);
        }
        return this;
    }

    /** INVALID FIELD IN CDB (the length field) when longer than {@code max} blocks. */
    BlockRange checkLength(long max) {
        if (blocks > max) {
            throw CheckCondition.invalidCdbField(lengthOffset, -1);
        }
        return this;
    }
}
