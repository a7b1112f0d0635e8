package io.tidemark.iscsi.scsi;

/** The sense key and additional sense code (ASC/ASCQ) pairs this target reports (SPC-4 4.5.6). */
public enum SenseCode {
    NO_ADDITIONAL_SENSE(SenseKey.NO_SENSE, 0x00, 0x00),
    /** Retryable: the command could not complete now (e.g. other writes kept changing its range). */
    ABORTED_COMMAND(SenseKey.ABORTED_COMMAND, 0x00, 0x00),
    LOGICAL_UNIT_COMMUNICATION_FAILURE(SenseKey.HARDWARE_ERROR, 0x08, 0x00),
    WRITE_ERROR(SenseKey.MEDIUM_ERROR, 0x0C, 0x00),
    COPY_ABORTED(SenseKey.COPY_ABORTED, 0x00, 0x00),
    COPY_TARGET_DEVICE_NOT_REACHABLE(SenseKey.COPY_ABORTED, 0x0D, 0x02),
    INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT(SenseKey.ILLEGAL_REQUEST, 0x0E, 0x03),
    UNRECOVERED_READ_ERROR(SenseKey.MEDIUM_ERROR, 0x11, 0x00),
    PARAMETER_LIST_LENGTH_ERROR(SenseKey.ILLEGAL_REQUEST, 0x1A, 0x00),
    MISCOMPARE_DURING_VERIFY(SenseKey.MISCOMPARE, 0x1D, 0x00),
    INVALID_COMMAND_OPERATION_CODE(SenseKey.ILLEGAL_REQUEST, 0x20, 0x00),
    LBA_OUT_OF_RANGE(SenseKey.ILLEGAL_REQUEST, 0x21, 0x00),
    INVALID_FIELD_IN_CDB(SenseKey.ILLEGAL_REQUEST, 0x24, 0x00),
    LOGICAL_UNIT_NOT_SUPPORTED(SenseKey.ILLEGAL_REQUEST, 0x25, 0x00),
    INVALID_FIELD_IN_PARAMETER_LIST(SenseKey.ILLEGAL_REQUEST, 0x26, 0x00),
    PARAMETER_VALUE_INVALID(SenseKey.ILLEGAL_REQUEST, 0x26, 0x02),
    INVALID_RELEASE_OF_PERSISTENT_RESERVATION(SenseKey.ILLEGAL_REQUEST, 0x26, 0x04),
    TOO_MANY_TARGET_DESCRIPTORS(SenseKey.ILLEGAL_REQUEST, 0x26, 0x06),
    UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE(SenseKey.ILLEGAL_REQUEST, 0x26, 0x07),
    TOO_MANY_SEGMENT_DESCRIPTORS(SenseKey.ILLEGAL_REQUEST, 0x26, 0x08),
    UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE(SenseKey.ILLEGAL_REQUEST, 0x26, 0x09),
    /** The unit is read-only (a point-in-time view): nothing may change its medium. */
    WRITE_PROTECTED(SenseKey.DATA_PROTECT, 0x27, 0x00),
    POWER_ON_RESET(SenseKey.UNIT_ATTENTION, 0x29, 0x00),
    BUS_DEVICE_RESET(SenseKey.UNIT_ATTENTION, 0x29, 0x03),
    I_T_NEXUS_LOSS(SenseKey.UNIT_ATTENTION, 0x29, 0x07),
    MODE_PARAMETERS_CHANGED(SenseKey.UNIT_ATTENTION, 0x2A, 0x01),
    RESERVATIONS_PREEMPTED(SenseKey.UNIT_ATTENTION, 0x2A, 0x03),
    RESERVATIONS_RELEASED(SenseKey.UNIT_ATTENTION, 0x2A, 0x04),
    REGISTRATIONS_PREEMPTED(SenseKey.UNIT_ATTENTION, 0x2A, 0x05),
    CAPACITY_DATA_HAS_CHANGED(SenseKey.UNIT_ATTENTION, 0x2A, 0x09),
    COMMANDS_CLEARED_BY_ANOTHER_INITIATOR(SenseKey.UNIT_ATTENTION, 0x2F, 0x00),
    SAVING_PARAMETERS_NOT_SUPPORTED(SenseKey.ILLEGAL_REQUEST, 0x39, 0x00),
    REPORTED_LUNS_DATA_HAS_CHANGED(SenseKey.UNIT_ATTENTION, 0x3F, 0x0E),
    INTERNAL_TARGET_FAILURE(SenseKey.HARDWARE_ERROR, 0x44, 0x00),
    MEDIUM_REMOVAL_PREVENTED(SenseKey.ILLEGAL_REQUEST, 0x53, 0x02),
    INSUFFICIENT_REGISTRATION_RESOURCES(SenseKey.ILLEGAL_REQUEST, 0x55, 0x04);

    private final int key;
    private final int asc;
    private final int ascq;

    SenseCode(int key, int asc, int ascq) {
        this.key = key;
        this.asc = asc;
        this.ascq = ascq;
    }

    public int key() {
        return key;
    }

    public int asc() {
        return asc;
    }

    public int ascq() {
        return ascq;
    }

    /** Sense keys (SPC-4 table 27). */
    public static final class SenseKey {
        public static final int NO_SENSE = 0x0;
        public static final int MEDIUM_ERROR = 0x3;
        public static final int HARDWARE_ERROR = 0x4;
        public static final int ILLEGAL_REQUEST = 0x5;
        public static final int UNIT_ATTENTION = 0x6;
        public static final int DATA_PROTECT = 0x7;
        public static final int COPY_ABORTED = 0xA;
        public static final int ABORTED_COMMAND = 0xB;
        public static final int MISCOMPARE = 0xE;

        private SenseKey() {
        }
    }
}
