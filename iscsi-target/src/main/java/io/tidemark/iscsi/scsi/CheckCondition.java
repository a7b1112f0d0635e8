package io.tidemark.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * A command ended with a non-GOOD status (usually CHECK CONDITION with sense). Handlers throw
 * it; the device turns it into the response. Expected, so it carries no stack trace.
 */
public final class CheckCondition extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final byte[] sense;
    private final long transferLength;

    public CheckCondition(byte[] sense) {
        this(ScsiResponse.CHECK_CONDITION, sense, -1);
    }

    private CheckCondition(int status, byte[] sense, long transferLength) {
        super(null, null, false, false);
        this.status = status;
        this.sense = sense;
        this.transferLength = transferLength;
    }

    /** The same failure, reporting that the command wanted to move {@code bytes} (for the residual). */
    public CheckCondition withTransferLength(long bytes) {
        return new CheckCondition(status, sense, bytes);
    }

    public static CheckCondition of(SenseCode code) {
        return new CheckCondition(SenseData.of(code).build());
    }

    public static CheckCondition invalidCdbField(int byteIndex, int bit) {
        return SenseData.of(SenseCode.INVALID_FIELD_IN_CDB).cdbField(byteIndex, bit).toFailure();
    }

    public static CheckCondition invalidParameter(int byteIndex, int bit) {
        return SenseData.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST).parameterField(byteIndex, bit).toFailure();
    }

    public static CheckCondition lbaOutOfRange(long lba) {
        return SenseData.of(SenseCode.LBA_OUT_OF_RANGE).information(lba).toFailure();
    }

    public static CheckCondition reservationConflict() {
        return new CheckCondition(ScsiResponse.RESERVATION_CONFLICT, new byte[0], -1);
    }

    public int status() {
        return status;
    }

    public byte[] sense() {
        return sense;
    }

    @Override
    public String getMessage() {
        return status == ScsiResponse.CHECK_CONDITION
                ? String.format("CHECK CONDITION key=0x%x asc=0x%02x ascq=0x%02x",
                        SenseData.key(sense), SenseData.asc(sense), SenseData.ascq(sense))
                : String.format("status 0x%02x", status);
    }

    ScsiResponse toResponse() {
        return new ScsiResponse(status, sense, ByteBuffer.allocate(0), transferLength);
    }
}
