package io.tidemark.iscsi.scsi;

import java.io.ByteArrayOutputStream;

/**
 * The mode pages this target reports (SPC-4 7.5, SBC-3 6.4), in the four page-control
 * flavours. Only WCE in the caching page is changeable. Stateless.
 *
 * <pre>
 *  page_0 format:    0 PS(7) SPF(6)=0 PAGE CODE   1 PAGE LENGTH   2.. parameters
 *  sub_page format:  0 PS(7) SPF(6)=1 PAGE CODE   1 SUBPAGE CODE  2-3 PAGE LENGTH  4.. parameters
 * </pre>
 */
final class ModePages {

    static final int PC_CURRENT = 0;
    static final int PC_CHANGEABLE = 1;
    static final int PC_DEFAULT = 2;
    static final int PC_SAVED = 3;

    static final int READ_WRITE_ERROR_RECOVERY = 0x01;
    static final int CACHING = 0x08;
    static final int CONTROL = 0x0A;
    static final int CONTROL_EXTENSION_SUBPAGE = 0x01;
    static final int INFORMATIONAL_EXCEPTIONS = 0x1C;
    static final int ALL_PAGES = 0x3F;
    static final int ALL_SUBPAGES = 0xFF;

    /** Byte 2 of the caching page: WCE is bit 2. */
    static final int CACHING_FLAGS = 2;
    static final int WCE = 0x04;

    private static final int BUSY_TIMEOUT_UNLIMITED = 0xFFFF;

    private ModePages() {
    }

    /**
     * The page(s) for {@code page}/{@code subpage}; null when there is no such page.
     */
    static byte[] pages(int page, int subpage, int pc, boolean wce) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (page == ALL_PAGES) {
            if (subpage != 0 && subpage != ALL_SUBPAGES) {
                return null;
            }
            out.writeBytes(readWriteErrorRecovery(pc));
            out.writeBytes(caching(pc, wce));
            out.writeBytes(control(pc));
            if (subpage == ALL_SUBPAGES) {
                out.writeBytes(controlExtension(pc));
            }
            out.writeBytes(informationalExceptions(pc));
            return out.toByteArray();
        }
        byte[] one = switch (page << 8 | subpage) {
            case READ_WRITE_ERROR_RECOVERY << 8 -> readWriteErrorRecovery(pc);
            case CACHING << 8 -> caching(pc, wce);
            case CONTROL << 8 -> control(pc);
            case CONTROL << 8 | CONTROL_EXTENSION_SUBPAGE -> controlExtension(pc);
            case CONTROL << 8 | ALL_SUBPAGES -> concat(control(pc), controlExtension(pc));
            case INFORMATIONAL_EXCEPTIONS << 8 -> informationalExceptions(pc);
            default -> null;
        };
        return one;
    }

    /** The changeable mask of the page that starts at {@code page[0..]}, or null if unknown. */
    static byte[] changeableMask(int page, int subpage) {
        return pages(page, subpage, PC_CHANGEABLE, false);
    }

    /** Read-write error recovery (0x01), length 0x0A: AWRE set, nothing changeable. */
    private static byte[] readWriteErrorRecovery(int pc) {
        byte[] p = page0(READ_WRITE_ERROR_RECOVERY, 0x0A);
        if (pc != PC_CHANGEABLE) {
            p[2] = (byte) 0x80;
        }
        return p;
    }

    /** Caching (0x08), length 0x12: WCE per unit, read cache enabled (RCD 0). */
    private static byte[] caching(int pc, boolean wce) {
        byte[] p = page0(CACHING, 0x12);
        boolean bit = switch (pc) {
            case PC_CHANGEABLE -> true;
            case PC_DEFAULT -> true;
            default -> wce;
        };
        if (bit) {
            p[CACHING_FLAGS] = WCE;
        }
        return p;
    }

    /**
     * Control (0x0A), length 0x0A: TST 0, QAM 1 (unrestricted reordering), QERR 0, D_SENSE 0,
     * TAS 1, busy timeout unlimited.
     */
    private static byte[] control(int pc) {
        byte[] p = page0(CONTROL, 0x0A);
        if (pc != PC_CHANGEABLE) {
            p[3] = 0x10;
            p[5] = 0x40;
            Cdb.putShort(p, 8, BUSY_TIMEOUT_UNLIMITED);
        }
        return p;
    }

    /** Control extension (0x0A/0x01), length 0x1C: all zero (no implicit ASC/ASCQ changes). */
    private static byte[] controlExtension(int pc) {
        byte[] p = new byte[4 + 0x1C];
        p[0] = (byte) (0x40 | CONTROL);
        p[1] = CONTROL_EXTENSION_SUBPAGE;
        Cdb.putShort(p, 2, 0x1C);
        return p;
    }

    /** Informational exceptions control (0x1C), length 0x0A: DEXCPT set, no reporting. */
    private static byte[] informationalExceptions(int pc) {
        byte[] p = page0(INFORMATIONAL_EXCEPTIONS, 0x0A);
        if (pc != PC_CHANGEABLE) {
            p[2] = 0x08;
        }
        return p;
    }

    private static byte[] page0(int code, int length) {
        byte[] p = new byte[2 + length];
        p[0] = (byte) code;
        p[1] = (byte) length;
        return p;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
