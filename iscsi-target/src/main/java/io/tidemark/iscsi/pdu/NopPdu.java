package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * NOP-Out (0x00, read) and NOP-In (0x20, built), RFC 7143 sections 11.18 and 11.19.
 * <pre>
 *    0|.|I| 0x00/0x20 |1| Reserved                                    |
 *    4|TotalAHSLength | DataSegmentLength (ping data)                 |
 *    8| LUN or Reserved                                               |
 *   16| Initiator Task Tag (0xffffffff: no answer wanted / target ping)|
 *   20| Target Transfer Tag (0xffffffff unless answering a ping)      |
 *   24| CmdSN (Out) / StatSN (In)                                     |
 *   28| ExpStatSN (Out) / ExpCmdSN (In)                               |
 *   32| Reserved (Out) / MaxCmdSN (In)                                |
 * </pre>
 */
public final class NopPdu {

    public static final int TTT_OFFSET = 20;

    private NopPdu() {}

    public static int ttt(ByteBuf bhs) {
        return bhs.getInt(TTT_OFFSET);
    }

    /** NOP-In answering a NOP-Out: echoes ITT, LUN and data; takes a StatSN. */
    public static OutboundPdu answer(ByteBufAllocator alloc, long lun, int itt, ByteBuf echo) {
        ByteBuf bhs = PduEncoder.allocateBhs(alloc);
        Bhs.begin(bhs, Opcode.NOP_IN, Bhs.FINAL_BIT);
        bhs.setLong(Bhs.LUN_OFFSET, lun);
        bhs.setInt(Bhs.ITT_OFFSET, itt);
        bhs.setInt(TTT_OFFSET, Bhs.RESERVED_TAG);
        return new OutboundPdu(bhs, echo, true);
    }

    /** A target ping: ITT reserved, a TTT the initiator must echo; StatSN not advanced. */
    public static OutboundPdu ping(ByteBufAllocator alloc, int ttt) {
        ByteBuf bhs = PduEncoder.allocateBhs(alloc);
        Bhs.begin(bhs, Opcode.NOP_IN, Bhs.FINAL_BIT);
        bhs.setInt(Bhs.ITT_OFFSET, Bhs.RESERVED_TAG);
        bhs.setInt(TTT_OFFSET, ttt);
        return new OutboundPdu(bhs, null, false);
    }
}
