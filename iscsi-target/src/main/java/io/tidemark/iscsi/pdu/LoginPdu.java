package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Login Request (0x03, read) and Login Response (0x23, built), RFC 7143 sections 11.12-13.
 * <pre>
 *    0|.|1| 0x03/0x23 |T|C|.|.|CSG|NSG| Version-max   | Version-min/active |
 *    4|TotalAHSLength | DataSegmentLength                             |
 *    8| ISID (6 bytes)                                |  TSIH         |
 *   16| Initiator Task Tag                                            |
 *   20| CID (request)                 | Reserved                      |
 *   24| CmdSN (request) / StatSN (response)                           |
 *   28| ExpStatSN (request) / ExpCmdSN (response)                     |
 *   32| Reserved / MaxCmdSN (response)                                |
 *   36| Status-Class  | Status-Detail | Reserved (response)           |
 *   48| data segment: key=value pairs, NUL-terminated                 |
 * </pre>
 */
public final class LoginPdu {

    public static final int TRANSIT_BIT = 0x80;
    public static final int CONTINUE_BIT = 0x40;
    public static final int VERSION_MAX_OFFSET = 2;
    public static final int VERSION_MIN_OFFSET = 3;
    public static final int ISID_OFFSET = 8;
    public static final int ISID_LENGTH = 6;
    public static final int TSIH_OFFSET = 14;
    public static final int CID_OFFSET = 20;
    public static final int STATUS_CLASS_OFFSET = 36;
    public static final int STATUS_DETAIL_OFFSET = 37;

    /** Stages (CSG/NSG). */
    public static final int SECURITY_NEGOTIATION = 0;
    public static final int OPERATIONAL_NEGOTIATION = 1;
    public static final int FULL_FEATURE_PHASE = 3;

    private LoginPdu() {}

    public static boolean transit(ByteBuf bhs) {
        return (Bhs.flags(bhs) & TRANSIT_BIT) != 0;
    }

    public static boolean continues(ByteBuf bhs) {
        return (Bhs.flags(bhs) & CONTINUE_BIT) != 0;
    }

    public static int csg(ByteBuf bhs) {
        return (Bhs.flags(bhs) >> 2) & 3;
    }

    public static int nsg(ByteBuf bhs) {
        return Bhs.flags(bhs) & 3;
    }

    public static int versionMax(ByteBuf bhs) {
        return bhs.getUnsignedByte(VERSION_MAX_OFFSET);
    }

    public static int versionMin(ByteBuf bhs) {
        return bhs.getUnsignedByte(VERSION_MIN_OFFSET);
    }

    public static byte[] isid(ByteBuf bhs) {
        byte[] isid = new byte[ISID_LENGTH];
        bhs.getBytes(ISID_OFFSET, isid);
        return isid;
    }

    public static int tsih(ByteBuf bhs) {
        return bhs.getUnsignedShort(TSIH_OFFSET);
    }

    public static int cid(ByteBuf bhs) {
        return bhs.getUnsignedShort(CID_OFFSET);
    }

    /** A Login Response; {@code statusClass}/{@code statusDetail} 0/0 is success. */
    public static OutboundPdu response(ByteBufAllocator alloc, boolean transit, int csg, int nsg, byte[] isid,
                                       int tsih, int itt, int statusClass, int statusDetail, ByteBuf keys) {
        ByteBuf bhs = PduEncoder.allocateBhs(alloc);
        Bhs.begin(bhs, Opcode.LOGIN_RESPONSE, (transit ? TRANSIT_BIT : 0) | (csg << 2) | (transit ? nsg : 0));
        bhs.setBytes(ISID_OFFSET, isid);
        bhs.setShort(TSIH_OFFSET, tsih);
        bhs.setInt(Bhs.ITT_OFFSET, itt);
        bhs.setByte(STATUS_CLASS_OFFSET, statusClass);
        bhs.setByte(STATUS_DETAIL_OFFSET, statusDetail);
        return new OutboundPdu(bhs, keys, true);
    }
}
