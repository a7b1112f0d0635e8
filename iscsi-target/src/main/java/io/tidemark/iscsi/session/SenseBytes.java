package io.tidemark.iscsi.session;

/**
 * The few fixed-format sense buffers the iSCSI layer produces itself (SPC-4 section
 * 4.5.3), when a command dies of a transport error before reaching the SCSI layer.
 */
final class SenseBytes {

    private static final int ABORTED_COMMAND = 0x0b;
    private static final int HARDWARE_ERROR = 0x04;

    /** ABORTED COMMAND / DATA PHASE ERROR (4Bh/00h): Data-Out did not fit the command. */
    static final byte[] DATA_PHASE_ERROR = fixed(ABORTED_COMMAND, 0x4b, 0x00);
    /** ABORTED COMMAND / PROTOCOL SERVICE CRC ERROR (47h/05h): data digest mismatch. */
    static final byte[] CRC_ERROR = fixed(ABORTED_COMMAND, 0x47, 0x05);
    /** HARDWARE ERROR / INTERNAL TARGET FAILURE (44h/00h): the SCSI layer failed. */
    static final byte[] INTERNAL_TARGET_FAILURE = fixed(HARDWARE_ERROR, 0x44, 0x00);

    private SenseBytes() {}

    /**
     * <pre>
     *  0: 0x70 current error | 2: sense key | 7: additional length (10) | 12: ASC | 13: ASCQ
     * </pre>
     */
    static byte[] fixed(int key, int asc, int ascq) {
        byte[] sense = new byte[18];
        sense[0] = 0x70;
        sense[2] = (byte) key;
        sense[7] = 10;
        sense[12] = (byte) asc;
        sense[13] = (byte) ascq;
        return sense;
    }
}
