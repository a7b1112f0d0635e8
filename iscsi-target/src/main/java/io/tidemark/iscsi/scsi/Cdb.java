package io.tidemark.iscsi.scsi;

/** Big-endian field access for CDBs and parameter data (SCSI is big-endian throughout). */
public final class Cdb {

    private Cdb() {
    }

    public static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    public static int u16(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }

    public static int u24(byte[] b, int off) {
        return (b[off] & 0xff) << 16 | u16(b, off + 1);
    }

    public static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    public static long u64(byte[] b, int off) {
        return (u32(b, off) << 32) | u32(b, off + 4);
    }

    public static boolean bit(byte[] b, int off, int bit) {
        return (b[off] >>> bit & 1) != 0;
    }

    public static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    public static void putInt(byte[] b, int off, int v) {
        putShort(b, off, v >>> 16);
        putShort(b, off + 2, v);
    }

    public static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) (v >>> 32));
        putInt(b, off + 4, (int) v);
    }

    /** Space-padded ASCII of exactly {@code len} bytes (INQUIRY strings). */
    public static void putAscii(byte[] b, int off, int len, String s) {
        for (int i = 0; i < len; i++) {
            char c = i < s.length() ? s.charAt(i) : ' ';
            b[off + i] = (byte) (c >= 0x20 && c <= 0x7e ? c : ' ');
        }
    }
}
