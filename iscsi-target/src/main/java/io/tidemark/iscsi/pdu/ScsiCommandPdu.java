package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Command (opcode 0x01, RFC 7143 section 11.3), read in place.
 * <pre>
 *    0|.|I| 0x01      |F|R|W|. .|ATTR | Reserved                      |
 *    4|TotalAHSLength | DataSegmentLength                             |
 *    8| Logical Unit Number (LUN)                                     |
 *   16| Initiator Task Tag                                            |
 *   20| Expected Data Transfer Length                                 |
 *   24| CmdSN                                                         |
 *   28| ExpStatSN                                                     |
 *   32| SCSI Command Descriptor Block (CDB), 16 bytes                 |
 *   48| AHS (extended CDB, type 1), data segment: immediate data      |
 * </pre>
 */
public final class ScsiCommandPdu {

    public static final int READ_BIT = 0x40;
    public static final int WRITE_BIT = 0x20;
    public static final int ATTR_MASK = 0x07;
    public static final int EDTL_OFFSET = 20;
    public static final int CDB_OFFSET = 32;
    public static final int CDB_LENGTH = 16;
    /** AHS type of an extended CDB: 2-byte AHSLength, type, reserved, then CDB bytes 16.. */
    public static final int AHS_TYPE_EXTENDED_CDB = 0x01;

    private ScsiCommandPdu() {}

    public static boolean read(ByteBuf bhs) {
        return (Bhs.flags(bhs) & READ_BIT) != 0;
    }

    public static boolean write(ByteBuf bhs) {
        return (Bhs.flags(bhs) & WRITE_BIT) != 0;
    }

    public static int attribute(ByteBuf bhs) {
        return Bhs.flags(bhs) & ATTR_MASK;
    }

    /** Expected Data Transfer Length, unsigned (callers check it against their limits). */
    public static long edtl(ByteBuf bhs) {
        return bhs.getUnsignedInt(EDTL_OFFSET);
    }

    /** The CDB: the 16 BHS bytes plus an extended CDB AHS if present. */
    public static byte[] cdb(ByteBuf bhs, ByteBuf ahs) {
        int extra = 0;
        if (ahs.readableBytes() >= 4 && ahs.getUnsignedByte(ahs.readerIndex() + 2) == AHS_TYPE_EXTENDED_CDB) {
            // AHSLength counts the reserved byte plus the CDB bytes past 16
            extra = Math.min(ahs.getUnsignedShort(ahs.readerIndex()) - 1, ahs.readableBytes() - 4);
        }
        byte[] cdb = new byte[CDB_LENGTH + Math.max(0, extra)];
        bhs.getBytes(CDB_OFFSET, cdb, 0, CDB_LENGTH);
        if (extra > 0) {
            ahs.getBytes(ahs.readerIndex() + 4, cdb, CDB_LENGTH, extra);
        }
        return cdb;
    }
}
