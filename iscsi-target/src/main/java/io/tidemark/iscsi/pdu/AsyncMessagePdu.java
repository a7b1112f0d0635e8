package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Asynchronous Message (opcode 0x32, RFC 7143 section 11.9), built here.
 * <pre>
 *    0|.|.| 0x32      |1| Reserved                                    |
 *    4|TotalAHSLength | DataSegmentLength                             |
 *    8| LUN or Reserved                                               |
 *   16| 0xffffffff                                                    |
 *   24| StatSN                                                        |
 *   28| ExpCmdSN                                                      |
 *   32| MaxCmdSN                                                      |
 *   36| AsyncEvent    | AsyncVCode    | Parameter1 or Reserved        |
 *   40| Parameter2 or Reserved        | Parameter3 or Reserved        |
 * </pre>
 */
public final class AsyncMessagePdu {

    public static final int ASYNC_EVENT_OFFSET = 36;
    public static final int PARAMETER3_OFFSET = 42;
    /** AsyncEvent 1: the target requests a logout within Parameter3 seconds. */
    public static final int EVENT_LOGOUT_REQUESTED = 1;

    private AsyncMessagePdu() {}

    public static OutboundPdu logoutRequest(ByteBufAllocator alloc, int withinSeconds) {
        ByteBuf bhs = PduEncoder.allocateBhs(alloc);
        Bhs.begin(bhs, Opcode.ASYNC_MESSAGE, Bhs.FINAL_BIT);
        bhs.setInt(Bhs.ITT_OFFSET, Bhs.RESERVED_TAG);
        bhs.setByte(ASYNC_EVENT_OFFSET, EVENT_LOGOUT_REQUESTED);
        bhs.setShort(PARAMETER3_OFFSET, withinSeconds);
        return new OutboundPdu(bhs, null, true);
    }
}
