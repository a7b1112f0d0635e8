package io.tidemark.iscsi.scsi;

/**
 * One row of the dispatch table: what a CDB is, who runs it, and how it interacts with unit
 * attentions and reservations (SPC-4 5.13 and table 66 for persistent reservations).
 *
 * @param opcode        operation code
 * @param serviceAction service action (byte 1, bits 4..0), or -1 when the opcode has none
 * @param name          for logs and errors
 * @param handler       the code that runs it
 * @param flags         {@link #ANY_LUN}, {@link #UA_EXEMPT}, ... or'ed together
 * @param usage         the CDB usage data bitmap reported by REPORT SUPPORTED OPERATION CODES;
 *                      its length is the CDB length
 */
record CommandSpec(int opcode, int serviceAction, String name, CommandHandler handler, int flags, byte[] usage) {

    /** Runs against a LUN that does not exist (INQUIRY, REPORT LUNS, REQUEST SENSE). */
    static final int ANY_LUN = 1;
    /** Runs, and does not report, a pending unit attention. */
    static final int UA_EXEMPT = 1 << 1;
    /** Allowed while another I_T nexus holds an SPC-2 (RESERVE) reservation. */
    static final int SPC2_ALLOWED = 1 << 2;
    /** Reads the medium: conflicts under an Exclusive Access persistent reservation. */
    static final int PR_READ = 1 << 3;
    /** Changes the medium or LU state: conflicts under any persistent reservation type. */
    static final int PR_WRITE = 1 << 4;
    /** Moves Data-Out bytes (so a failure reports the transfer length it wanted). */
    static final int DATA_OUT = 1 << 5;
    /** Touches the medium (read, write, verify, copy). */
    static final int MEDIA = 1 << 6;
    /** Changes the medium: ends in DATA PROTECT / WRITE PROTECTED on a read-only unit. */
    static final int WRITES_MEDIUM = 1 << 7;
    /** Nominal command timeout in seconds reported with RCTD (REPORT SUPPORTED OPERATION CODES). */
    static final int NOMINAL_TIMEOUT_SECONDS = 30;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    int cdbLength() {
        return usage.length;
    }

    boolean hasServiceAction() {
        return serviceAction >= 0;
    }
}
