package io.tidemark.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * The outcome of a SCSI command.
 *
 * @param status         SAM status byte (0x00 GOOD, 0x02 CHECK CONDITION, 0x18 RESERVATION
 *                       CONFLICT, ...)
 * @param sense          fixed-format sense data for CHECK CONDITION, else an empty array
 * @param dataIn         Data-In bytes (position..limit); empty for commands that return none.
 *                       The session truncates it to the EDTL and reports the residual.
 * @param transferLength bytes the command wanted to move in either direction (from its CDB),
 *                       used to compute the residual against the EDTL; -1 means "the length of
 *                       dataIn"
 */
public record ScsiResponse(int status, byte[] sense, ByteBuffer dataIn, long transferLength) {

    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int CONDITION_MET = 0x04;
    public static final int BUSY = 0x08;
    public static final int RESERVATION_CONFLICT = 0x18;
    public static final int TASK_SET_FULL = 0x28;
    public static final int TASK_ABORTED = 0x40;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final byte[] NO_SENSE = new byte[0];

    public static ScsiResponse good() {
        return new ScsiResponse(GOOD, NO_SENSE, EMPTY, -1);
    }

    public static ScsiResponse good(ByteBuffer dataIn) {
        return new ScsiResponse(GOOD, NO_SENSE, dataIn, -1);
    }

    public static ScsiResponse status(int status) {
        return new ScsiResponse(status, NO_SENSE, EMPTY, -1);
    }

    public static ScsiResponse checkCondition(byte[] sense) {
        return new ScsiResponse(CHECK_CONDITION, sense, EMPTY, -1);
    }
}
