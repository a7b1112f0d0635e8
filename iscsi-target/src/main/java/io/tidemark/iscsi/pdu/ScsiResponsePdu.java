package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * SCSI Response (opcode 0x21, RFC 7143 section 11.4), built here.
 * <pre>
 *    0|.|.| 0x21      |1|. .|o|u|O|U|.| Response      | Status        |
 *    4|TotalAHSLength | DataSegmentLength                             |
 *    8| Reserved                                                      |
 *   16| Initiator Task Tag                                            |
 *   20| SNACK Tag or Reserved                                         |
 *   24| StatSN                                                        |
 *   28| ExpCmdSN                                                      |
 *   32| MaxCmdSN                                                      |
 *   36| ExpDataSN or Reserved                                         |
 *   40| Bidirectional Read Residual Count or Reserved                 |
 *   44| Residual Count or Reserved                                    |
 *   48| data segment: SenseLength (2 bytes) + sense data              |
 * </pre>
 */
public final class ScsiResponsePdu {

    public static final int OVERFLOW_BIT = 0x04;
    public static final int UNDERFLOW_BIT = 0x02;
    public static final int RESPONSE_OFFSET = 2;
    public static final int STATUS_OFFSET = 3;
    public static final int EXP_DATA_SN_OFFSET = 36;
    public static final int RESIDUAL_OFFSET = 44;
    /** Response codes. */
    public static final int COMMAND_COMPLETED = 0x00;
    public static final int TARGET_FAILURE = 0x01;

    private ScsiResponsePdu() {}

    /** @param residualFlags O/U bits; {@code sense} may be empty */
    public static OutboundPdu build(ByteBufAllocator alloc, int itt, int response, int status, int residualFlags,
                                    int residual, int expDataSn, byte[] sense) {
        ByteBuf bhs = PduEncoder.allocateBhs(alloc);
        Bhs.begin(bhs, Opcode.SCSI_RESPONSE, Bhs.FINAL_BIT | residualFlags);
        bhs.setByte(RESPONSE_OFFSET, response);
        bhs.setByte(STATUS_OFFSET, status);
        bhs.setInt(Bhs.ITT_OFFSET, itt);
        bhs.setInt(EXP_DATA_SN_OFFSET, expDataSn);
        bhs.setInt(RESIDUAL_OFFSET, residual);
        ByteBuf data = null;
        if (sense.length > 0) {
            data = alloc.buffer(2 + sense.length).writeShort(sense.length).writeBytes(sense);
        }
        return new OutboundPdu(bhs, data, true);
    }
}
