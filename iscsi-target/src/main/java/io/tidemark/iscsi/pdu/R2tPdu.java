package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Ready To Transfer (opcode 0x31, RFC 7143 section 11.8), built here.
 * <pre>
 *    0|.|.| 0x31      |1| Reserved                                    |
 *    4|TotalAHSLength | DataSegmentLength (0)                         |
 *    8| Logical Unit Number (LUN)                                     |
 *   16| Initiator Task Tag                                            |
 *   20| Target Transfer Tag                                           |
 *   24| StatSN (next, not advanced)                                   |
 *   28| ExpCmdSN                                                      |
 *   32| MaxCmdSN                                                      |
 *   36| R2TSN                                                         |
 *   40| Buffer Offset                                                 |
 *   44| Desired Data Transfer Length                                  |
 * </pre>
 */
public final class R2tPdu {

    public static final int TTT_OFFSET = 20;
    public static final int R2T_SN_OFFSET = 36;
    public static final int BUFFER_OFFSET_OFFSET = 40;
    public static final int DESIRED_LENGTH_OFFSET = 44;

    private R2tPdu() {}

    public static OutboundPdu build(ByteBufAllocator alloc, long lun, int itt, int ttt, int r2tSn, int offset,
                                    int length) {
        ByteBuf bhs = PduEncoder.allocateBhs(alloc);
        Bhs.begin(bhs, Opcode.R2T, Bhs.FINAL_BIT);
        bhs.setLong(Bhs.LUN_OFFSET, lun);
        bhs.setInt(Bhs.ITT_OFFSET, itt);
        bhs.setInt(TTT_OFFSET, ttt);
        bhs.setInt(R2T_SN_OFFSET, r2tSn);
        bhs.setInt(BUFFER_OFFSET_OFFSET, offset);
        bhs.setInt(DESIRED_LENGTH_OFFSET, length);
        return new OutboundPdu(bhs, null, false);
    }
}
