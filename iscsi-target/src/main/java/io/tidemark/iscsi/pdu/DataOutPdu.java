package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Data-Out (opcode 0x05, RFC 7143 section 11.7), read in place.
 * <pre>
 *    0|.|.| 0x05      |F| Reserved                                    |
 *    4|TotalAHSLength | DataSegmentLength                             |
 *    8| LUN or Reserved                                               |
 *   16| Initiator Task Tag                                            |
 *   20| Target Transfer Tag (0xffffffff: unsolicited)                 |
 *   24| Reserved                                                      |
 *   28| ExpStatSN                                                     |
 *   32| Reserved                                                      |
 *   36| DataSN                                                        |
 *   40| Buffer Offset                                                 |
 *   44| Reserved                                                      |
 * </pre>
 */
public final class DataOutPdu {

    public static final int TTT_OFFSET = 20;
    public static final int DATA_SN_OFFSET = 36;
    public static final int BUFFER_OFFSET_OFFSET = 40;

    private DataOutPdu() {}

    public static int ttt(ByteBuf bhs) {
        return bhs.getInt(TTT_OFFSET);
    }

    public static int dataSn(ByteBuf bhs) {
        return bhs.getInt(DATA_SN_OFFSET);
    }

    public static long bufferOffset(ByteBuf bhs) {
        return bhs.getUnsignedInt(BUFFER_OFFSET_OFFSET);
    }
}
