package io.tidemark.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.login.SessionParameters;
import io.tidemark.iscsi.pdu.Bhs;
import io.tidemark.iscsi.pdu.LogoutPdu;
import io.tidemark.iscsi.pdu.NopPdu;
import io.tidemark.iscsi.pdu.Opcode;
import io.tidemark.iscsi.pdu.Pdu;
import io.tidemark.iscsi.pdu.RejectPdu;
import io.tidemark.iscsi.scsi.ItNexus;
import io.tidemark.iscsi.scsi.ScsiExecutor;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI session in full feature phase (MaxConnections=1, so one connection): the CmdSN
 * window, the task table, and the routing of each PDU to its handler. Everything except
 * {@link #release()} runs on the connection's event loop; not thread-safe otherwise.
 */
public final class Session {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    private final IscsiConnection connection;
    private final String initiatorName;
    private final byte[] isid;
    private final TargetNode target;
    private final String authMethod;
    private final SessionParameters parameters;
    private final ItNexus nexus;
    private final ScsiExecutor executor;
    private final CommandWindow window;
    private final IntObjectHashMap<ScsiTask> tasks = new IntObjectHashMap<>();
    private final ScsiCommandFlow commands;
    private final TaskManagement taskManagement;
    private final TextExchange text;
    private final AtomicBoolean released = new AtomicBoolean();
    private final CompletableFuture<Void> nexusReleased = new CompletableFuture<>();
    private volatile int tsih;
    private int nextTtt = 1;

    Session(IscsiConnection connection, String initiatorName, byte[] isid, TargetNode target, String authMethod,
            SessionParameters parameters, ScsiExecutor executor, int initialCmdSn) {
        this.connection = connection;
        this.initiatorName = initiatorName;
        this.isid = isid.clone();
        this.target = target;
        this.authMethod = authMethod;
        this.parameters = parameters;
        this.executor = executor;
        this.nexus = target == null ? null
                : new ItNexus(initiatorName, this.isid, target.iqn(), connection.context().settings().portalGroupTag());
        this.window = new CommandWindow(connection.context().settings().queueDepth(), initialCmdSn);
        this.commands = new ScsiCommandFlow(this);
        this.taskManagement = new TaskManagement(this);
        this.text = new TextExchange(this);
    }

    /** A PDU of full feature phase, in arrival order. */
    void onPdu(Pdu pdu) {
        int opcode = pdu.opcode();
        if (opcode == Opcode.SCSI_DATA_OUT) {
            commands.onDataOut(pdu);
            return;
        }
        if (opcode == Opcode.SNACK_REQUEST) {
            // ErrorRecoveryLevel 0: no SNACK support (RFC 7143 section 11.16)
            connection.reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
            pdu.release();
            return;
        }
        if (!isRequest(opcode)) {
            connection.reject(RejectPdu.COMMAND_NOT_SUPPORTED, pdu.bhs());
            pdu.release();
            return;
        }
        if (pdu.immediate()) {
            deliver(pdu);
            return;
        }
        if (window.offer(pdu, this::deliver) == CommandWindow.Admission.OUT_OF_WINDOW) {
            // dropped silently as RFC 7143 section 4.2.2.1 says; visible in the debug log only
            LOG.debug("session {} tsih {}: dropped {} with CmdSN {} outside the window {}..{}", initiatorName, tsih,
                    pdu, Integer.toUnsignedString(Bhs.cmdSn(pdu.bhs())), Integer.toUnsignedString(window.expCmdSn()),
                    Integer.toUnsignedString(window.maxCmdSn()));
            pdu.release();
        }
    }

    private static boolean isRequest(int opcode) {
        return opcode == Opcode.NOP_OUT || opcode == Opcode.SCSI_COMMAND || opcode == Opcode.TASK_MGMT_REQUEST
                || opcode == Opcode.TEXT_REQUEST || opcode == Opcode.LOGOUT_REQUEST;
    }

    /** A request whose turn has come (immediate, or next in CmdSN order). */
    private void deliver(Pdu pdu) {
        switch (pdu.opcode()) {
            case Opcode.SCSI_COMMAND -> commands.onCommand(pdu);
            case Opcode.NOP_OUT -> onNopOut(pdu);
            case Opcode.TASK_MGMT_REQUEST -> taskManagement.onRequest(pdu);
            case Opcode.TEXT_REQUEST -> text.onRequest(pdu);
            case Opcode.LOGOUT_REQUEST -> onLogout(pdu);
            default -> {
                connection.reject(RejectPdu.COMMAND_NOT_SUPPORTED, pdu.bhs());
                pdu.release();
            }
        }
    }

    private void onNopOut(Pdu pdu) {
        try {
            if (pdu.defect() != Pdu.Defect.NONE) {
                connection.reject(pdu.defect() == Pdu.Defect.DATA_DIGEST ? RejectPdu.DATA_DIGEST_ERROR
                        : RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            int ttt = NopPdu.ttt(pdu.bhs());
            if (ttt != Bhs.RESERVED_TAG) {
                connection.pingAnswered(ttt);
            }
            if (pdu.itt() != Bhs.RESERVED_TAG) {
                ByteBuf echo = pdu.takeData();
                int max = parameters.initiatorMaxRecvDataSegmentLength();
                if (echo.readableBytes() > max) {
                    // the echo may not exceed what the initiator accepts (RFC 7143 section 11.19)
                    echo.writerIndex(echo.readerIndex() + max);
                }
                connection.send(NopPdu.answer(connection.alloc(), Bhs.lun(pdu.bhs()), pdu.itt(), echo));
            }
        } finally {
            pdu.release();
        }
    }

    private void onLogout(Pdu pdu) {
        try {
            int reason = LogoutPdu.reason(pdu.bhs());
            int response = switch (reason) {
                case LogoutPdu.CLOSE_SESSION, LogoutPdu.CLOSE_CONNECTION -> LogoutPdu.CLOSED;
                case LogoutPdu.REMOVE_FOR_RECOVERY -> LogoutPdu.RECOVERY_NOT_SUPPORTED;
                default -> -1;
            };
            if (response < 0) {
                connection.reject(RejectPdu.INVALID_PDU_FIELD, pdu.bhs());
                return;
            }
            if (response == LogoutPdu.CLOSED) {
                abortAll();
            }
            connection.send(LogoutPdu.response(connection.alloc(), pdu.itt(), response,
                    parameters.defaultTime2Wait(), parameters.defaultTime2Retain()));
            if (response == LogoutPdu.CLOSED) {
                LOG.info("session {} tsih {} on {}: logout", initiatorName, tsih, targetName());
                connection.closeAfterFlush();
            }
        } finally {
            pdu.release();
        }
    }

    /** The connection is gone: drop tasks and anything buffered for the initiator. */
    void closed() {
        abortAll();
        text.dropRest();
    }

    /** Drops every task of the session: collecting ones at once, running ones when they return. */
    void abortAll() {
        for (ScsiTask task : tasksSnapshot()) {
            abort(task);
        }
        window.releaseQueued();
    }

    /** Aborts one task: no SCSI response will be sent for it. */
    void abort(ScsiTask task) {
        task.aborted = true;
        if (task.state == ScsiTask.State.COLLECTING) {
            taskDone(task);
        }
    }

    void taskDone(ScsiTask task) {
        retire(task);
        task.finish();
    }

    /** Takes the task out of the table and the window's running count. */
    void retire(ScsiTask task) {
        if (tasks.get(task.itt) == task) {
            tasks.remove(task.itt);
            if (!task.immediate) {
                window.commandFinished();
            }
        }
    }

    boolean addTask(ScsiTask task) {
        if (tasks.containsKey(task.itt)) {
            return false;
        }
        tasks.put(task.itt, task);
        if (!task.immediate) {
            window.commandStarted();
        }
        return true;
    }

    ScsiTask task(int itt) {
        return tasks.get(itt);
    }

    /** A copy of the task table (safe to abort tasks while iterating it). */
    java.util.List<ScsiTask> tasksSnapshot() {
        return java.util.List.of(tasks.values().toArray(new ScsiTask[0]));
    }

    int nextTargetTransferTag() {
        int ttt = nextTtt++;
        if (nextTtt == Bhs.RESERVED_TAG) {
            nextTtt = 1;
        }
        return ttt;
    }

    /**
     * Ends the session's I_T nexus once (connection gone or reinstated); returns a future
     * that completes after the executor has dropped the nexus. Thread-safe.
     */
    CompletableFuture<Void> release() {
        if (released.compareAndSet(false, true)) {
            if (executor == null) {
                nexusReleased.complete(null);
            } else {
                try {
                    CompletableFuture.runAsync(() -> executor.nexusLost(nexus), connection.context().workers())
                            .whenComplete((v, e) -> nexusReleased.complete(null));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // the portal is shutting down: no worker left, the nexus goes with it
                    nexusReleased.complete(null);
                }
            }
        }
        return nexusReleased;
    }

    boolean sameNexus(String initiator, byte[] otherIsid, String targetIqn) {
        return target != null && initiatorName.equals(initiator) && Arrays.equals(isid, otherIsid)
                && target.iqn().equals(targetIqn);
    }

    void tsih(int value) {
        this.tsih = value;
    }

    public int tsih() {
        return tsih;
    }

    public String initiatorName() {
        return initiatorName;
    }

    public byte[] isid() {
        return isid.clone();
    }

    /** Null for a discovery session. */
    public String targetName() {
        return target == null ? null : target.iqn();
    }

    TargetNode target() {
        return target;
    }

    public String remoteAddress() {
        return connection.remoteAddress();
    }

    public String authMethod() {
        return authMethod;
    }

    public SessionParameters parameters() {
        return parameters;
    }

    ItNexus nexus() {
        return nexus;
    }

    ScsiExecutor executor() {
        return executor;
    }

    CommandWindow window() {
        return window;
    }

    IscsiConnection connection() {
        return connection;
    }

    /** Asks the initiator to log out (server shutdown). Thread-safe. */
    public void requestLogout(int withinSeconds) {
        connection.requestLogout(withinSeconds);
    }

    /** Completes when the session's connection has closed. Thread-safe. */
    public io.netty.channel.ChannelFuture closeFuture() {
        return connection.closeFuture();
    }

    /** Closes the connection at once (reinstatement, shutdown). Thread-safe. */
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "session " + initiatorName + " tsih " + tsih + (target == null ? " (discovery)" : " on " + target.iqn());
    }
}
