package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Task Management Function Request (0x02, read) and Response (0x22, built), RFC 7143
 * sections 11.5-6.
 * <pre>
 *    0|.|I| 0x02/0x22 |1| Function    | Response (resp)| Reserved     |
 *    4|TotalAHSLength | DataSegmentLength                             |
 *    8| Logical Unit Number (LUN) or Reserved                         |
 *   16| Initiator Task Tag                                            |
 *   20| Referenced Task Tag or 0xffffffff                             |
 *   24| CmdSN / StatSN                                                |
 *   28| ExpStatSN / ExpCmdSN                                          |
 *   32| RefCmdSN / MaxCmdSN                                           |
 *   36| ExpDataSN                                                     |
 * </pre>
 */
public final class TaskMgmtPdu {

    public static final int FUNCTION_MASK = 0x7f;
    public static final int REFERENCED_TASK_TAG_OFFSET = 20;
    public static final int REF_CMD_SN_OFFSET = 32;
    public static final int RESPONSE_OFFSET = 2;

    /** Functions. */
    public static final int ABORT_TASK = 1;
    public static final int ABORT_TASK_SET = 2;
    public static final int CLEAR_ACA = 3;
    public static final int CLEAR_TASK_SET = 4;
    public static final int LOGICAL_UNIT_RESET = 5;
    public static final int TARGET_WARM_RESET = 6;
    public static final int TARGET_COLD_RESET = 7;
    public static final int TASK_REASSIGN = 8;

    /** Responses. */
    public static final int FUNCTION_COMPLETE = 0;
    public static final int TASK_DOES_NOT_EXIST = 1;
    public static final int LUN_DOES_NOT_EXIST = 2;
    public static final int REASSIGNMENT_NOT_SUPPORTED = 4;
    public static final int FUNCTION_NOT_SUPPORTED = 5;
    public static final int FUNCTION_REJECTED = 255;

    private TaskMgmtPdu() {}

    public static int function(ByteBuf bhs) {
        return Bhs.flags(bhs) & FUNCTION_MASK;
    }

    public static int referencedTaskTag(ByteBuf bhs) {
        return bhs.getInt(REFERENCED_TASK_TAG_OFFSET);
    }

    public static int refCmdSn(ByteBuf bhs) {
        return bhs.getInt(REF_CMD_SN_OFFSET);
    }

    public static OutboundPdu response(ByteBufAllocator alloc, int itt, int response) {
        ByteBuf bhs = PduEncoder.allocateBhs(alloc);
        Bhs.begin(bhs, Opcode.TASK_MGMT_RESPONSE, Bhs.FINAL_BIT);
        bhs.setByte(RESPONSE_OFFSET, response);
        bhs.setInt(Bhs.ITT_OFFSET, itt);
        return new OutboundPdu(bhs, null, true);
    }
}
