package io.tidemark.iscsi.scsi;

/**
 * Builds fixed-format sense data (SPC-4 4.5.3). Not thread-safe; build one per response.
 *
 * <pre>
 *  byte 0     VALID(7) | RESPONSE CODE (0x70 current)
 *  byte 2     sense key (low nibble)
 *  bytes 3-6  INFORMATION (big-endian), meaningful when VALID is set
 *  byte 7     ADDITIONAL SENSE LENGTH (= 10: bytes 8..17)
 *  bytes 8-11 COMMAND-SPECIFIC INFORMATION
 *  byte 12    ASC
 *  byte 13    ASCQ
 *  bytes 15-17 SENSE KEY SPECIFIC: SKSV(7) | C/D(6) | BPV(3) | BIT POINTER(2..0), FIELD POINTER
 * </pre>
 */
public final class SenseData {

    public static final int LENGTH = 18;
    static final int RESPONSE_CODE = 0;
    static final int SENSE_KEY = 2;
    static final int INFORMATION = 3;
    static final int ADDITIONAL_LENGTH = 7;
    static final int COMMAND_SPECIFIC = 8;
    static final int ASC = 12;
    static final int ASCQ = 13;
    static final int SENSE_KEY_SPECIFIC = 15;

    private static final int CURRENT_ERRORS = 0x70;
    private static final int VALID = 0x80;
    private static final int SKSV = 0x80;
    private static final int C_D = 0x40;
    private static final int BPV = 0x08;

    private final byte[] sense = new byte[LENGTH];

    private SenseData(SenseCode code) {
        sense[RESPONSE_CODE] = (byte) CURRENT_ERRORS;
        sense[SENSE_KEY] = (byte) code.key();
        sense[ADDITIONAL_LENGTH] = LENGTH - 8;
        sense[ASC] = (byte) code.asc();
        sense[ASCQ] = (byte) code.ascq();
    }

    public static SenseData of(SenseCode code) {
        return new SenseData(code);
    }

    /** The INFORMATION field (e.g. the LBA or the miscompare offset), with VALID set. */
    public SenseData information(long value) {
        sense[RESPONSE_CODE] |= (byte) VALID;
        Cdb.putInt(sense, INFORMATION, (int) value);
        return this;
    }

    public SenseData commandSpecific(long value) {
        Cdb.putInt(sense, COMMAND_SPECIFIC, (int) value);
        return this;
    }

    /** Field pointer into the CDB (INVALID FIELD IN CDB), bit {@code bit} or -1 for the whole byte. */
    public SenseData cdbField(int byteIndex, int bit) {
        return fieldPointer(true, byteIndex, bit);
    }

    /** Field pointer into the parameter list (INVALID FIELD IN PARAMETER LIST). */
    public SenseData parameterField(int byteIndex, int bit) {
        return fieldPointer(false, byteIndex, bit);
    }

    private SenseData fieldPointer(boolean inCdb, int byteIndex, int bit) {
        int b = SKSV | (inCdb ? C_D : 0) | (bit >= 0 ? BPV | (bit & 7) : 0);
        sense[SENSE_KEY_SPECIFIC] = (byte) b;
        sense[SENSE_KEY_SPECIFIC + 1] = (byte) (byteIndex >>> 8);
        sense[SENSE_KEY_SPECIFIC + 2] = (byte) byteIndex;
        return this;
    }

    public byte[] build() {
        return sense.clone();
    }

    /** Shortcut: the failure to throw from a handler. */
    public CheckCondition toFailure() {
        return new CheckCondition(build());
    }

    public static int key(byte[] sense) {
        return sense.length > SENSE_KEY ? sense[SENSE_KEY] & 0x0f : 0;
    }

    public static int asc(byte[] sense) {
        return sense.length > ASC ? sense[ASC] & 0xff : 0;
    }

    public static int ascq(byte[] sense) {
        return sense.length > ASCQ ? sense[ASCQ] & 0xff : 0;
    }
}
