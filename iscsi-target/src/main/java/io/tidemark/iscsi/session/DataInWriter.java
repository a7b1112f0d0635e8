package io.tidemark.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tidemark.iscsi.login.SessionParameters;
import io.tidemark.iscsi.pdu.Bhs;
import io.tidemark.iscsi.pdu.DataInPdu;
import io.tidemark.iscsi.pdu.ScsiResponsePdu;
import io.tidemark.iscsi.scsi.ScsiResponse;

/**
 * Turns a ScsiResponse into Data-In PDUs (split at the initiator's
 * MaxRecvDataSegmentLength, F at each MaxBurstLength) with the status in the last one when
 * GOOD, or a SCSI Response with sense otherwise, and the residual counts against the EDTL
 * (RFC 7143 sections 11.4.5 and 11.7). The response buffer is wrapped, not copied. Not
 * thread-safe: runs on the connection's event loop.
 */
final class DataInWriter {

    private final IscsiConnection connection;
    private final SessionParameters params;

    DataInWriter(IscsiConnection connection, SessionParameters params) {
        this.connection = connection;
        this.params = params;
    }

    void respond(ScsiTask task, ScsiResponse response) {
        int available = response.dataIn().remaining();
        boolean dataIn = task.read || available > 0;
        long produced;
        if (response.transferLength() >= 0) {
            produced = response.transferLength();
        } else if (dataIn) {
            produced = available;
        } else {
            produced = task.write ? task.edtl : 0;
        }
        int residualFlags = 0;
        long residual = 0;
        if (produced < task.edtl) {
            residualFlags = ScsiResponsePdu.UNDERFLOW_BIT;
            residual = task.edtl - produced;
        } else if (produced > task.edtl) {
            residualFlags = ScsiResponsePdu.OVERFLOW_BIT;
            residual = produced - task.edtl;
        }
        int send = task.read ? Math.min(available, task.edtl) : 0;
        boolean good = response.status() == ScsiResponse.GOOD && response.sense().length == 0;
        int dataSn = 0;
        if (send > 0) {
            dataSn = sendData(task, response, send, good, residualFlags, (int) Math.min(residual, 0xffffffffL));
            if (good) {
                return;
            }
        }
        connection.send(ScsiResponsePdu.build(connection.alloc(), task.itt, ScsiResponsePdu.COMMAND_COMPLETED,
                response.status(), residualFlags, (int) Math.min(residual, 0xffffffffL), dataSn, response.sense()));
    }

    /** Sends {@code send} bytes as Data-In; the last PDU carries the status when {@code good}. */
    private int sendData(ScsiTask task, ScsiResponse response, int send, boolean good, int residualFlags, int residual) {
        ByteBuf whole = Unpooled.wrappedBuffer(response.dataIn());
        int segment = params.initiatorMaxRecvDataSegmentLength();
        int burst = params.maxBurstLength();
        int dataSn = 0;
        try {
            int offset = 0;
            while (offset < send) {
                int inBurst = burst - offset % burst;
                int length = Math.min(Math.min(segment, send - offset), inBurst);
                boolean last = offset + length == send;
                int flags = 0;
                if (last || length == inBurst) {
                    flags |= Bhs.FINAL_BIT;
                }
                if (last && good) {
                    flags |= DataInPdu.STATUS_BIT | residualFlags;
                }
                connection.send(DataInPdu.build(connection.alloc(), task.itt, flags, response.status(), dataSn++,
                        offset, residual, whole.retainedSlice(offset, length)));
                offset += length;
            }
        } finally {
            whole.release();
        }
        return dataSn;
    }

    /** The SCSI layer broke its promise to never fail: answer target failure. */
    void targetFailure(ScsiTask task) {
        connection.send(ScsiResponsePdu.build(connection.alloc(), task.itt, ScsiResponsePdu.TARGET_FAILURE,
                ScsiResponse.CHECK_CONDITION, 0, 0, 0, SenseBytes.INTERNAL_TARGET_FAILURE));
    }
}
