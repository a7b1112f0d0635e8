package io.tidemark.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.tidemark.iscsi.login.SessionParameters;
import io.tidemark.iscsi.pdu.Bhs;
import io.tidemark.iscsi.pdu.DataOutPdu;
import io.tidemark.iscsi.pdu.LunField;
import io.tidemark.iscsi.pdu.Pdu;
import io.tidemark.iscsi.pdu.R2tPdu;
import io.tidemark.iscsi.pdu.RejectPdu;
import io.tidemark.iscsi.pdu.ScsiCommandPdu;
import io.tidemark.iscsi.scsi.ScsiCommand;
import io.tidemark.iscsi.scsi.ScsiResponse;
import io.tidemark.iscsi.scsi.TaskAttribute;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SCSI Command -> (immediate data, unsolicited Data-Out, R2T/Data-Out) -> ScsiExecutor on a
 * worker -> Data-In/SCSI Response back on the event loop (RFC 7143 sections 4.2.2.3 and
 * 11.3-11.8). Data-Out is checked against the negotiated lengths, the R2T it answers and the
 * EDTL; a bad one is rejected and its command ends with CHECK CONDITION. Not thread-safe:
 * runs on the connection's event loop.
 */
final class ScsiCommandFlow {

    private static final Logger LOG = LoggerFactory.getLogger(ScsiCommandFlow.class);
    /** Largest write EDTL accepted: its buffer is allocated up front (the SCSI layer reports less). */
    static final int MAX_TRANSFER_LENGTH = 32 * 1024 * 1024;
    private static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);
    private static final int EAGER_BUFFER = 1024 * 1024;

    private final Session session;
    private final IscsiConnection connection;
    private final SessionParameters params;
    private final DataInWriter dataIn;
    private final List<ScsiTask> batch = new ArrayList<>();
    private final List<ScsiCommand> batchCommands = new ArrayList<>();

    ScsiCommandFlow(Session session) {
        this.session = session;
        this.connection = session.connection();
        this.params = session.parameters();
        this.dataIn = new DataInWriter(connection, params);
    }

    void onCommand(Pdu pdu) {
        try {
            ByteBuf bhs = pdu.bhs();
            if (session.executor() == null) {
                // discovery sessions carry no SCSI (RFC 7143 section 4.3)
                connection.reject(RejectPdu.PROTOCOL_ERROR, bhs);
                return;
            }
            String fault = commandFault(pdu);
            if (fault != null) {
                LOG.debug("{}: rejected {}: {}", session, pdu, fault);
                connection.reject(pdu.defect() == Pdu.Defect.DATA_DIGEST ? RejectPdu.DATA_DIGEST_ERROR
                        : RejectPdu.PROTOCOL_ERROR, bhs);
                return;
            }
            boolean read = ScsiCommandPdu.read(bhs);
            boolean write = ScsiCommandPdu.write(bhs);
            int edtl = (int) ScsiCommandPdu.edtl(bhs);
            long lunField = Bhs.lun(bhs);
            ScsiTask task = new ScsiTask(pdu.itt(), Bhs.cmdSn(bhs), pdu.immediate(), lunField,
                    LunField.decode(lunField), ScsiCommandPdu.cdb(bhs, pdu.ahs()),
                    TaskAttribute.fromWire(ScsiCommandPdu.attribute(bhs)), edtl, read, write);
            if (!session.addTask(task)) {
                connection.reject(RejectPdu.TASK_IN_PROGRESS, bhs);
                return;
            }
            if (write && edtl > 0) {
                startDataOut(task, pdu, Bhs.finalBit(bhs));
            }
            if (task.dataComplete()) {
                execute(task);
            } else {
                sendR2ts(task);
            }
        } finally {
            pdu.release();
        }
    }

    /** Why a command PDU cannot be accepted at all, or null. */
    private String commandFault(Pdu pdu) {
        if (pdu.defect() == Pdu.Defect.DATA_DIGEST) {
            return "data digest mismatch on immediate data";
        }
        if (pdu.defect() == Pdu.Defect.DATA_TOO_LONG) {
            return "immediate data " + Bhs.dataSegmentLength(pdu.bhs()) + " bytes (expected: at most "
                    + params.targetMaxRecvDataSegmentLength() + ")";
        }
        long edtl = ScsiCommandPdu.edtl(pdu.bhs());
        long limit = ScsiCommandPdu.write(pdu.bhs()) ? MAX_TRANSFER_LENGTH : Integer.MAX_VALUE;
        if (edtl > limit) {
            return "EDTL " + edtl + " (expected: at most " + limit + ")";
        }
        int immediate = pdu.data().readableBytes();
        if (immediate > 0) {
            if (!ScsiCommandPdu.write(pdu.bhs())) {
                return "immediate data on a command without the W bit";
            }
            if (!params.immediateData()) {
                return "immediate data while ImmediateData=No";
            }
            if (immediate > Math.min(params.firstBurstLength(), edtl)) {
                return "immediate data " + immediate + " bytes (expected: at most min(FirstBurstLength "
                        + params.firstBurstLength() + ", EDTL " + edtl + "))";
            }
        }
        return null;
    }

    private void startDataOut(ScsiTask task, Pdu pdu, boolean finalBit) {
        int immediate = pdu.data().readableBytes();
        task.unsolicitedEnd = !params.initialR2T() && !finalBit
                ? Math.min(params.firstBurstLength(), task.edtl) : immediate;
        task.unsolicitedNext = immediate;
        task.nextR2tOffset = task.unsolicitedEnd;
        if (immediate == task.edtl) {
            task.dataOut = pdu.takeData();
        } else {
            // up to 1 MiB up front; beyond, the buffer grows as data arrives, so commands that
            // announce large writes and send nothing cannot pin memory
            int initial = Math.min(task.edtl, Math.max(task.unsolicitedEnd, EAGER_BUFFER));
            task.dataOut = connection.alloc().directBuffer(initial, task.edtl);
            if (immediate > 0) {
                task.dataOut.setBytes(0, pdu.data(), pdu.data().readerIndex(), immediate);
            }
        }
        task.received = immediate;
    }

    private static void ensureCapacity(ScsiTask task, int end) {
        ByteBuf buf = task.dataOut;
        if (buf.capacity() < end) {
            buf.capacity(Math.min(task.edtl, Math.max(end, buf.capacity() * 2)));
        }
    }

    /** Opens R2Ts up to MaxOutstandingR2T, each at most MaxBurstLength. */
    private void sendR2ts(ScsiTask task) {
        while (task.r2ts.size() < params.maxOutstandingR2T() && task.nextR2tOffset < task.edtl) {
            int length = Math.min(params.maxBurstLength(), task.edtl - task.nextR2tOffset);
            ScsiTask.R2t r2t = new ScsiTask.R2t(session.nextTargetTransferTag(), task.nextR2tOffset, length);
            task.r2ts.add(r2t);
            task.nextR2tOffset += length;
            connection.send(R2tPdu.build(connection.alloc(), task.lunField, task.itt, r2t.ttt, task.r2tSn++,
                    r2t.offset, r2t.length));
        }
    }

    void onDataOut(Pdu pdu) {
        try {
            ByteBuf bhs = pdu.bhs();
            ScsiTask task = session.task(pdu.itt());
            if (task == null || task.state != ScsiTask.State.COLLECTING || !task.write) {
                connection.reject(RejectPdu.INVALID_PDU_FIELD, bhs);
                return;
            }
            String fault = dataOutFault(task, pdu);
            if (fault != null) {
                LOG.debug("{}: Data-Out for itt 0x{} rejected: {}", session, Integer.toHexString(task.itt), fault);
                connection.reject(pdu.defect() == Pdu.Defect.DATA_DIGEST ? RejectPdu.DATA_DIGEST_ERROR
                        : RejectPdu.PROTOCOL_ERROR, bhs);
                failTask(task, pdu.defect() == Pdu.Defect.DATA_DIGEST ? SenseBytes.CRC_ERROR : SenseBytes.DATA_PHASE_ERROR);
                return;
            }
            int offset = (int) DataOutPdu.bufferOffset(bhs);
            int length = pdu.data().readableBytes();
            ensureCapacity(task, offset + length);
            task.dataOut.setBytes(offset, pdu.data(), pdu.data().readerIndex(), length);
            task.received += length;
            int ttt = DataOutPdu.ttt(bhs);
            boolean last = Bhs.finalBit(bhs);
            if (ttt == Bhs.RESERVED_TAG) {
                task.unsolicitedNext = offset + length;
                task.unsolicitedDataSn++;
            } else {
                ScsiTask.R2t r2t = task.r2t(ttt);
                r2t.next = offset + length;
                r2t.dataSn++;
                if (last) {
                    task.r2ts.remove(r2t);
                }
            }
            if (task.dataComplete()) {
                task.r2ts.clear();
                execute(task);
            } else if (last && ttt != Bhs.RESERVED_TAG) {
                sendR2ts(task);
            }
        } finally {
            pdu.release();
        }
    }

    /** Why this Data-Out does not fit its command, or null. */
    private String dataOutFault(ScsiTask task, Pdu pdu) {
        if (pdu.defect() == Pdu.Defect.DATA_DIGEST) {
            return "data digest mismatch";
        }
        if (pdu.defect() == Pdu.Defect.DATA_TOO_LONG) {
            return "DataSegmentLength " + Bhs.dataSegmentLength(pdu.bhs()) + " (expected: at most "
                    + params.targetMaxRecvDataSegmentLength() + ")";
        }
        ByteBuf bhs = pdu.bhs();
        long offset = DataOutPdu.bufferOffset(bhs);
        int length = pdu.data().readableBytes();
        if (offset + length > task.edtl) {
            return "data at " + offset + "+" + length + " beyond EDTL " + task.edtl;
        }
        int ttt = DataOutPdu.ttt(bhs);
        boolean last = Bhs.finalBit(bhs);
        if (ttt == Bhs.RESERVED_TAG) {
            if (DataOutPdu.dataSn(bhs) != task.unsolicitedDataSn) {
                return "unsolicited DataSN " + Integer.toUnsignedString(DataOutPdu.dataSn(bhs)) + " (expected: "
                        + task.unsolicitedDataSn + ")";
            }
            if (offset != task.unsolicitedNext) {
                return "unsolicited data at offset " + offset + " (expected: " + task.unsolicitedNext + ")";
            }
            if (offset + length > task.unsolicitedEnd) {
                return "unsolicited data up to " + (offset + length) + " (expected: at most FirstBurstLength "
                        + task.unsolicitedEnd + ")";
            }
            if (last && offset + length != task.unsolicitedEnd) {
                return "unsolicited burst ends at " + (offset + length) + " (expected: " + task.unsolicitedEnd + ")";
            }
            return null;
        }
        ScsiTask.R2t r2t = task.r2t(ttt);
        if (r2t == null) {
            return "TTT 0x" + Integer.toHexString(ttt) + " names no open R2T";
        }
        if (DataOutPdu.dataSn(bhs) != r2t.dataSn) {
            return "DataSN " + Integer.toUnsignedString(DataOutPdu.dataSn(bhs)) + " (expected: " + r2t.dataSn + ")";
        }
        if (offset != r2t.next) {
            return "data at offset " + offset + " (expected: " + r2t.next + ")";
        }
        if (offset + length > r2t.offset + r2t.length) {
            return "data up to " + (offset + length) + " beyond the R2T's " + (r2t.offset + r2t.length)
                    + " (MaxBurstLength " + params.maxBurstLength() + ")";
        }
        if (last && offset + length != r2t.offset + r2t.length) {
            return "R2T burst ends at " + (offset + length) + " (expected: " + (r2t.offset + r2t.length) + ")";
        }
        return null;
    }

    private void failTask(ScsiTask task, byte[] sense) {
        task.state = ScsiTask.State.RUNNING;
        complete(task, ScsiResponse.checkCondition(sense), null);
    }

    private void execute(ScsiTask task) {
        task.state = ScsiTask.State.RUNNING;
        ByteBuffer out = task.dataOut == null ? NO_DATA
                : task.dataOut.nioBuffer(task.dataOut.readerIndex(), Math.min(task.received, task.edtl));
        ScsiCommand command = new ScsiCommand(session.nexus(), task.itt & 0xffffffffL, task.lun, task.cdb,
                task.attribute, task.edtl, out);
        batch.add(task);
        batchCommands.add(command);
        connection.dispatchSoon(this);
    }

    /**
     * Hands the commands gathered during one read burst to the workers, in CmdSN order, a few
     * per worker task: one wake-up per group instead of per command, and still as many
     * commands in parallel as there are workers.
     */
    void dispatch() {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        int workers = connection.context().settings().workerThreads();
        int perTask = (n + workers - 1) / workers;
        for (int from = 0; from < n; from += perTask) {
            int to = Math.min(n, from + perTask);
            ScsiTask[] tasks = batch.subList(from, to).toArray(new ScsiTask[0]);
            ScsiCommand[] commands = batchCommands.subList(from, to).toArray(new ScsiCommand[0]);
            try {
                connection.context().workers().execute(() -> {
                    for (int i = 0; i < tasks.length; i++) {
                        run(tasks[i], commands[i]);
                    }
                });
            } catch (RejectedExecutionException e) {
                for (ScsiTask t : tasks) {
                    complete(t, null, e);
                }
            }
        }
        batch.clear();
        batchCommands.clear();
    }

    /** On a worker thread. */
    private void run(ScsiTask task, ScsiCommand command) {
        var loop = connection.eventLoop();
        CompletableFuture<ScsiResponse> result;
        try {
            result = session.executor().execute(command);
        } catch (RuntimeException | Error e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((response, error) -> loop.execute(() -> complete(task, response, error)));
    }

    private void complete(ScsiTask task, ScsiResponse response, Throwable error) {
        if (task.state == ScsiTask.State.DONE) {
            return;
        }
        // open the window first so the response already carries the larger MaxCmdSN
        session.retire(task);
        if (!task.aborted && connection.isOpen()) {
            if (error != null) {
                LOG.warn("{}: command 0x{} failed in the SCSI layer: {}", session,
                        Integer.toHexString(task.cdb[0] & 0xff), error.toString());
                dataIn.targetFailure(task);
            } else {
                dataIn.respond(task, response);
            }
        }
        task.finish();
    }
}
