package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Logout Request (0x06, read) and Logout Response (0x26, built), RFC 7143 sections 11.14-15.
 * <pre>
 *    0|.|I| 0x06/0x26 |1| Reason Code  | Response (resp) | Reserved   |
 *    4|TotalAHSLength | DataSegmentLength                             |
 *   16| Initiator Task Tag                                            |
 *   20| CID (request) or Reserved     | Reserved                      |
 *   24| CmdSN / StatSN                                                |
 *   28| ExpStatSN / ExpCmdSN                                          |
 *   32| Reserved / MaxCmdSN                                           |
 *   40| Time2Wait (resp)              | Time2Retain (resp)            |
 * </pre>
 */
public final class LogoutPdu {

    public static final int REASON_MASK = 0x7f;
    public static final int CID_OFFSET = 20;
    public static final int RESPONSE_OFFSET = 2;
    public static final int TIME2WAIT_OFFSET = 40;
    public static final int TIME2RETAIN_OFFSET = 42;

    /** Reason codes. */
    public static final int CLOSE_SESSION = 0;
    public static final int CLOSE_CONNECTION = 1;
    public static final int REMOVE_FOR_RECOVERY = 2;
    /** Response codes. */
    public static final int CLOSED = 0;
    public static final int CID_NOT_FOUND = 1;
    public static final int RECOVERY_NOT_SUPPORTED = 2;

    private LogoutPdu() {}

    public static int reason(ByteBuf bhs) {
        return Bhs.flags(bhs) & REASON_MASK;
    }

    public static int cid(ByteBuf bhs) {
        return bhs.getUnsignedShort(CID_OFFSET);
    }

    public static OutboundPdu response(ByteBufAllocator alloc, int itt, int response, int time2Wait,
                                       int time2Retain) {
        ByteBuf bhs = PduEncoder.allocateBhs(alloc);
        Bhs.begin(bhs, Opcode.LOGOUT_RESPONSE, Bhs.FINAL_BIT);
        bhs.setByte(RESPONSE_OFFSET, response);
        bhs.setInt(Bhs.ITT_OFFSET, itt);
        bhs.setShort(TIME2WAIT_OFFSET, time2Wait);
        bhs.setShort(TIME2RETAIN_OFFSET, time2Retain);
        return new OutboundPdu(bhs, null, true);
    }
}
