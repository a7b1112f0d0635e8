package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * SCSI Data-In (opcode 0x25, RFC 7143 section 11.7), built here.
 * <pre>
 *    0|.|.| 0x25      |F|A|0 0 0|O|U|S| Reserved      |Status or Rsvd |
 *    4|TotalAHSLength | DataSegmentLength                             |
 *    8| LUN or Reserved                                               |
 *   16| Initiator Task Tag                                            |
 *   20| Target Transfer Tag or 0xffffffff                             |
 *   24| StatSN or Reserved                                            |
 *   28| ExpCmdSN                                                      |
 *   32| MaxCmdSN                                                      |
 *   36| DataSN                                                        |
 *   40| Buffer Offset                                                 |
 *   44| Residual Count                                                |
 * </pre>
 */
public final class DataInPdu {

    public static final int ACK_BIT = 0x40;
    public static final int OVERFLOW_BIT = 0x04;
    public static final int UNDERFLOW_BIT = 0x02;
    public static final int STATUS_BIT = 0x01;
    public static final int STATUS_OFFSET = 3;
    public static final int TTT_OFFSET = 20;
    public static final int DATA_SN_OFFSET = 36;
    public static final int BUFFER_OFFSET_OFFSET = 40;
    public static final int RESIDUAL_OFFSET = 44;

    private DataInPdu() {}

    /**
     * @param flags     F/O/U/S bits; with S set the PDU carries {@code status} and a StatSN
     * @param data      the slice to send (ownership passes to the PDU)
     */
    public static OutboundPdu build(ByteBufAllocator alloc, int itt, int flags, int status, int dataSn,
                                    int bufferOffset, int residual, ByteBuf data) {
        ByteBuf bhs = PduEncoder.allocateBhs(alloc);
        Bhs.begin(bhs, Opcode.SCSI_DATA_IN, flags);
        if ((flags & STATUS_BIT) != 0) {
            bhs.setByte(STATUS_OFFSET, status);
            bhs.setInt(RESIDUAL_OFFSET, residual);
        }
        bhs.setInt(Bhs.ITT_OFFSET, itt);
        bhs.setInt(TTT_OFFSET, Bhs.RESERVED_TAG);
        bhs.setInt(DATA_SN_OFFSET, dataSn);
        bhs.setInt(BUFFER_OFFSET_OFFSET, bufferOffset);
        return new OutboundPdu(bhs, data, (flags & STATUS_BIT) != 0);
    }
}
