package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * The Basic Header Segment (RFC 7143 section 11.2.1): the 48 bytes that start every PDU.
 * Static accessors over a buffer whose reader index 0 is the first BHS byte (absolute
 * indices, no state), so a decoded BHS slice is read in place without copying.
 *
 * <pre>
 *  Byte/     0       |       1       |       2       |       3       |
 *     +---------------+---------------+---------------+---------------+
 *    0|.|I| Opcode    |F|  Opcode-specific fields                     |
 *     +---------------+---------------+---------------+---------------+
 *    4|TotalAHSLength | DataSegmentLength                             |
 *     +---------------+---------------+---------------+---------------+
 *    8| LUN or Opcode-specific fields                                 |
 *     +                                                               +
 *   12|                                                               |
 *     +---------------+---------------+---------------+---------------+
 *   16| Initiator Task Tag                                            |
 *     +---------------+---------------+---------------+---------------+
 *   20| Opcode-specific (initiator: 24 CmdSN, 28 ExpStatSN;          |
 *  ...|   target: 24 StatSN, 28 ExpCmdSN, 32 MaxCmdSN)                |
 *     +---------------+---------------+---------------+---------------+
 *   48| AHS (TotalAHSLength * 4 bytes), header digest, data segment   |
 *     | padded to 4 bytes, data digest                                |
 * </pre>
 */
public final class Bhs {

    public static final int LENGTH = 48;
    public static final int OPCODE_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    public static final int TOTAL_AHS_LENGTH_OFFSET = 4;
    public static final int DATA_SEGMENT_LENGTH_OFFSET = 5;
    public static final int LUN_OFFSET = 8;
    public static final int LUN_LENGTH = 8;
    public static final int ITT_OFFSET = 16;
    /** Initiator PDUs: CmdSN and ExpStatSN. */
    public static final int CMD_SN_OFFSET = 24;
    public static final int EXP_STAT_SN_OFFSET = 28;
    /** Target PDUs: StatSN, ExpCmdSN, MaxCmdSN sit at the same offsets in every type. */
    public static final int STAT_SN_OFFSET = 24;
    public static final int EXP_CMD_SN_OFFSET = 28;
    public static final int MAX_CMD_SN_OFFSET = 32;

    public static final int IMMEDIATE_BIT = 0x40;
    public static final int OPCODE_MASK = 0x3f;
    public static final int FINAL_BIT = 0x80;
    /** The reserved "no tag" value of ITT and TTT. */
    public static final int RESERVED_TAG = 0xffffffff;
    /** DataSegmentLength is a 24-bit field. */
    public static final int MAX_DATA_SEGMENT_LENGTH = 0xffffff;

    private Bhs() {}

    public static int opcode(ByteBuf bhs) {
        return bhs.getByte(OPCODE_OFFSET) & OPCODE_MASK;
    }

    public static boolean immediate(ByteBuf bhs) {
        return (bhs.getByte(OPCODE_OFFSET) & IMMEDIATE_BIT) != 0;
    }

    public static int flags(ByteBuf bhs) {
        return bhs.getUnsignedByte(FLAGS_OFFSET);
    }

    public static boolean finalBit(ByteBuf bhs) {
        return (flags(bhs) & FINAL_BIT) != 0;
    }

    /** TotalAHSLength in bytes (the field counts 4-byte words). */
    public static int totalAhsBytes(ByteBuf bhs) {
        return bhs.getUnsignedByte(TOTAL_AHS_LENGTH_OFFSET) * 4;
    }

    public static int dataSegmentLength(ByteBuf bhs) {
        return bhs.getUnsignedMedium(DATA_SEGMENT_LENGTH_OFFSET);
    }

    public static int itt(ByteBuf bhs) {
        return bhs.getInt(ITT_OFFSET);
    }

    public static int cmdSn(ByteBuf bhs) {
        return bhs.getInt(CMD_SN_OFFSET);
    }

    public static int expStatSn(ByteBuf bhs) {
        return bhs.getInt(EXP_STAT_SN_OFFSET);
    }

    public static long lun(ByteBuf bhs) {
        return bhs.getLong(LUN_OFFSET);
    }

    /** Starts a target PDU: zeroes 48 bytes at the writer index and sets opcode and flags. */
    public static void begin(ByteBuf out, int opcode, int flags) {
        out.writeZero(LENGTH);
        out.setByte(OPCODE_OFFSET, opcode);
        out.setByte(FLAGS_OFFSET, flags);
    }

    public static void setDataSegmentLength(ByteBuf bhs, int length) {
        if (length < 0 || length > MAX_DATA_SEGMENT_LENGTH) {
            throw new IllegalArgumentException("DataSegmentLength: " + length + " (expected: 0.."
                    + MAX_DATA_SEGMENT_LENGTH + ")");
        }
        bhs.setMedium(DATA_SEGMENT_LENGTH_OFFSET, length);
    }

    /** Padding after a data segment of {@code length} bytes to the next 4-byte boundary. */
    public static int padding(int length) {
        return -length & 3;
    }
}
