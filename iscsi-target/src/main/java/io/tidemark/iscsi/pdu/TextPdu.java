package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Text Request (0x04, read) and Text Response (0x24, built), RFC 7143 sections 11.10-11.
 * <pre>
 *    0|.|I| 0x04/0x24 |F|C| Reserved                                  |
 *    4|TotalAHSLength | DataSegmentLength                             |
 *    8| LUN or Reserved                                               |
 *   16| Initiator Task Tag                                            |
 *   20| Target Transfer Tag (continuation) or 0xffffffff              |
 *   24| CmdSN / StatSN                                                |
 *   28| ExpStatSN / ExpCmdSN                                          |
 *   32| Reserved / MaxCmdSN                                           |
 *   48| data segment: key=value pairs, NUL-terminated                 |
 * </pre>
 */
public final class TextPdu {

    public static final int CONTINUE_BIT = 0x40;
    public static final int TTT_OFFSET = 20;

    private TextPdu() {}

    public static boolean continues(ByteBuf bhs) {
        return (Bhs.flags(bhs) & CONTINUE_BIT) != 0;
    }

    public static int ttt(ByteBuf bhs) {
        return bhs.getInt(TTT_OFFSET);
    }

    /** @param more true when the text continues in another response (C set, F clear) */
    public static OutboundPdu response(ByteBufAllocator alloc, long lun, int itt, int ttt, boolean more,
                                       ByteBuf keys) {
        ByteBuf bhs = PduEncoder.allocateBhs(alloc);
        Bhs.begin(bhs, Opcode.TEXT_RESPONSE, more ? CONTINUE_BIT : Bhs.FINAL_BIT);
        bhs.setLong(Bhs.LUN_OFFSET, lun);
        bhs.setInt(Bhs.ITT_OFFSET, itt);
        bhs.setInt(TTT_OFFSET, ttt);
        return new OutboundPdu(bhs, keys, true);
    }
}
