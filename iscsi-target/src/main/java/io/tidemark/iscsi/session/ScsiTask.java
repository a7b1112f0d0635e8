package io.tidemark.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.tidemark.iscsi.scsi.TaskAttribute;
import java.util.ArrayList;
import java.util.List;

/**
 * One SCSI command of a session from arrival to response: its identity, the Data-Out
 * gathered so far and the R2Ts still open (RFC 7143 sections 4.2.2.3, 11.7, 11.8). Not
 * thread-safe: used on the connection's event loop.
 */
final class ScsiTask {

    enum State { COLLECTING, RUNNING, DONE }

    /** An R2T sent and not yet fully answered. */
    static final class R2t {
        final int ttt;
        final int offset;
        final int length;
        int next;
        int dataSn;

        R2t(int ttt, int offset, int length) {
            this.ttt = ttt;
            this.offset = offset;
            this.length = length;
            this.next = offset;
        }
    }

    final int itt;
    final int cmdSn;
    final boolean immediate;
    final long lunField;
    final int lun;
    final byte[] cdb;
    final TaskAttribute attribute;
    final int edtl;
    final boolean read;
    final boolean write;

    State state = State.COLLECTING;
    ByteBuf dataOut;
    int received;
    int unsolicitedEnd;
    int unsolicitedNext;
    int unsolicitedDataSn;
    int nextR2tOffset;
    int r2tSn;
    final List<R2t> r2ts = new ArrayList<>(2);
    boolean aborted;
    /** Runs once the task is DONE (a task management answer waiting for it). */
    Runnable onDone;

    ScsiTask(int itt, int cmdSn, boolean immediate, long lunField, int lun, byte[] cdb, TaskAttribute attribute,
             int edtl, boolean read, boolean write) {
        this.itt = itt;
        this.cmdSn = cmdSn;
        this.immediate = immediate;
        this.lunField = lunField;
        this.lun = lun;
        this.cdb = cdb;
        this.attribute = attribute;
        this.edtl = edtl;
        this.read = read;
        this.write = write;
    }

    boolean dataComplete() {
        return !write || received >= edtl;
    }

    R2t r2t(int ttt) {
        for (R2t r : r2ts) {
            if (r.ttt == ttt) {
                return r;
            }
        }
        return null;
    }

    void releaseData() {
        if (dataOut != null) {
            dataOut.release();
            dataOut = null;
        }
    }

    void finish() {
        state = State.DONE;
        releaseData();
        r2ts.clear();
        if (onDone != null) {
            Runnable r = onDone;
            onDone = null;
            r.run();
        }
    }
}
