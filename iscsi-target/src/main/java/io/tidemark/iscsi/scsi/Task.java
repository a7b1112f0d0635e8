package io.tidemark.iscsi.scsi;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One command in execution: the CDB, its logical unit (null when the LUN does not exist and
 * the command runs anyway) and the device. Confined to the command's execution.
 */
final class Task {

    private static final CompletableFuture<ScsiResponse> GOOD = CompletableFuture.completedFuture(ScsiResponse.good());

    final ScsiCommand command;
    final byte[] cdb;
    final LogicalUnitState lu;
    final ScsiTargetDevice device;

    Task(ScsiCommand command, LogicalUnitState lu, ScsiTargetDevice device) {
        this.command = command;
        this.cdb = command.cdb();
        this.lu = lu;
        this.device = device;
    }

    ItNexus nexus() {
        return command.nexus();
    }

    /** The Data-Out bytes (position..limit), not consumed. */
    ByteBuffer dataOut() {
        return command.dataOut().duplicate();
    }

    int dataOutLength() {
        return command.dataOut().remaining();
    }

    /** The first {@code length} bytes of the Data-Out; PARAMETER LIST LENGTH ERROR when fewer arrived. */
    byte[] parameterList(int length) {
        if (dataOutLength() < length) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] p = new byte[length];
        dataOut().get(p);
        return p;
    }

    /** The byte at {@code index} of the CDB (0 when the CDB is shorter). */
    int cdbByte(int index) {
        return index < cdb.length ? cdb[index] & 0xff : 0;
    }

    /** Rejects a CDB shorter than its command needs. */
    void requireCdbLength(int length) {
        if (cdb.length < length) {
            throw CheckCondition.invalidCdbField(0, -1);
        }
    }

    static CompletableFuture<ScsiResponse> good() {
        return GOOD;
    }

    /** Data-In truncated to the allocation length. */
    static CompletableFuture<ScsiResponse> dataIn(byte[] data, long allocationLength) {
        int n = (int) Math.min(data.length, allocationLength);
        return CompletableFuture.completedFuture(ScsiResponse.good(ByteBuffer.wrap(data, 0, n)));
    }
}
