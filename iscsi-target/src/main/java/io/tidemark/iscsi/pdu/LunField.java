package io.tidemark.iscsi.pdu;

/**
 * The 8-byte LUN field (SAM-5 section 4.6): peripheral device addressing (method 00b, bus
 * 0, LUN 0..255) and flat space addressing (method 01b, LUN 0..16383).
 * <pre>
 *   byte 0: |AM |  bus / LUN high 6 bits |  byte 1: LUN low 8 bits | bytes 2..7: 0
 * </pre>
 */
public final class LunField {

    /** Returned for an address this target does not serve; no LUN can have it. */
    public static final int UNSUPPORTED = 0xffff;

    private LunField() {}

    public static int decode(long field) {
        int b0 = (int) (field >>> 56) & 0xff;
        int b1 = (int) (field >>> 48) & 0xff;
        if ((field & 0x0000ffffffffffffL) != 0) {
            return UNSUPPORTED;
        }
        return switch (b0 >>> 6) {
            case 0 -> b0 == 0 ? b1 : UNSUPPORTED;
            case 1 -> ((b0 & 0x3f) << 8) | b1;
            default -> UNSUPPORTED;
        };
    }

    /** Peripheral addressing below 256, flat space above (as REPORT LUNS should list them). */
    public static long encode(int lun) {
        if (lun < 256) {
            return (long) lun << 48;
        }
        return ((long) (0x4000 | lun)) << 48;
    }
}
