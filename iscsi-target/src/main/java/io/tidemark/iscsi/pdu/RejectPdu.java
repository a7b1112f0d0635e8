package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Reject (opcode 0x3f, RFC 7143 section 11.17), built here; its data segment is the BHS of
 * the rejected PDU.
 * <pre>
 *    0|.|.| 0x3f      |1| Reserved    | Reason        | Reserved      |
 *    4|TotalAHSLength | DataSegmentLength (48)                        |
 *   16| 0xffffffff                                                    |
 *   24| StatSN                                                        |
 *   28| ExpCmdSN                                                      |
 *   32| MaxCmdSN                                                      |
 *   36| DataSN/R2TSN or Reserved                                      |
 *   48| header of the rejected PDU                                    |
 * </pre>
 */
public final class RejectPdu {

    public static final int REASON_OFFSET = 2;

    /** Reason codes (RFC 7143 section 11.17.1). */
    public static final int DATA_DIGEST_ERROR = 0x02;
    public static final int SNACK_REJECT = 0x03;
    public static final int PROTOCOL_ERROR = 0x04;
    public static final int COMMAND_NOT_SUPPORTED = 0x05;
    public static final int IMMEDIATE_COMMAND_REJECTED = 0x06;
    public static final int TASK_IN_PROGRESS = 0x07;
    public static final int INVALID_DATA_ACK = 0x08;
    public static final int INVALID_PDU_FIELD = 0x09;
    public static final int OUT_OF_RESOURCES = 0x0a;
    public static final int NEGOTIATION_RESET = 0x0b;
    public static final int WAITING_FOR_LOGOUT = 0x0c;

    private RejectPdu() {}

    /** @param rejectedBhs the offending BHS; copied, the caller keeps ownership */
    public static OutboundPdu build(ByteBufAllocator alloc, int reason, ByteBuf rejectedBhs) {
        ByteBuf bhs = PduEncoder.allocateBhs(alloc);
        Bhs.begin(bhs, Opcode.REJECT, Bhs.FINAL_BIT);
        bhs.setByte(REASON_OFFSET, reason);
        bhs.setInt(Bhs.ITT_OFFSET, Bhs.RESERVED_TAG);
        ByteBuf data = alloc.buffer(Bhs.LENGTH).writeBytes(rejectedBhs, rejectedBhs.readerIndex(), Bhs.LENGTH);
        return new OutboundPdu(bhs, data, true);
    }
}
