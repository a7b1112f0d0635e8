package io.tidemark.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.tidemark.iscsi.pdu.Bhs;
import io.tidemark.iscsi.pdu.LunField;
import io.tidemark.iscsi.pdu.Pdu;
import io.tidemark.iscsi.pdu.TaskMgmtPdu;
import io.tidemark.iscsi.scsi.ScsiExecutor.Reset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task management functions (RFC 7143 section 11.5): ABORT TASK, ABORT TASK SET, CLEAR
 * TASK SET, LOGICAL UNIT RESET, TARGET WARM/COLD RESET; anything else is answered
 * "function not supported". Tasks still collecting data end at once; running ones are
 * waited for (their responses suppressed) before the answer, and resets then go to the
 * target's ScsiExecutor on a worker. Not thread-safe: runs on the connection's event loop.
 */
final class TaskManagement {

    private static final Logger LOG = LoggerFactory.getLogger(TaskManagement.class);

    private final Session session;
    private final IscsiConnection connection;

    TaskManagement(Session session) {
        this.session = session;
        this.connection = session.connection();
    }

    void onRequest(Pdu pdu) {
        ByteBuf bhs = pdu.bhs();
        int itt = pdu.itt();
        int function = TaskMgmtPdu.function(bhs);
        int lun = LunField.decode(Bhs.lun(bhs));
        int cmdSn = Bhs.cmdSn(bhs);
        int referenced = TaskMgmtPdu.referencedTaskTag(bhs);
        int refCmdSn = TaskMgmtPdu.refCmdSn(bhs);
        pdu.release();
        if (session.executor() == null) {
            respond(itt, TaskMgmtPdu.FUNCTION_NOT_SUPPORTED);
            return;
        }
        LOG.info("{}: task management function {} for LUN {}", session, function, lun);
        switch (function) {
            case TaskMgmtPdu.ABORT_TASK -> abortTask(itt, referenced, cmdSn, refCmdSn);
            case TaskMgmtPdu.ABORT_TASK_SET -> lunFunction(itt, lun, Reset.ABORT_TASK_SET);
            case TaskMgmtPdu.CLEAR_TASK_SET -> lunFunction(itt, lun, Reset.CLEAR_TASK_SET);
            case TaskMgmtPdu.LOGICAL_UNIT_RESET -> lunFunction(itt, lun, Reset.LOGICAL_UNIT_RESET);
            case TaskMgmtPdu.TARGET_WARM_RESET -> abortThenReset(itt, t -> true, Reset.TARGET_WARM_RESET, lun, false);
            case TaskMgmtPdu.TARGET_COLD_RESET -> abortThenReset(itt, t -> true, Reset.TARGET_COLD_RESET, lun, true);
            case TaskMgmtPdu.TASK_REASSIGN -> respond(itt, TaskMgmtPdu.REASSIGNMENT_NOT_SUPPORTED);
            default -> respond(itt, TaskMgmtPdu.FUNCTION_NOT_SUPPORTED);
        }
    }

    private void abortTask(int itt, int referenced, int cmdSn, int refCmdSn) {
        ScsiTask task = session.task(referenced);
        if (task != null) {
            whenAborted(List.of(task), () -> respond(itt, TaskMgmtPdu.FUNCTION_COMPLETE));
            return;
        }
        CommandWindow window = session.window();
        if (SerialNumber.within(refCmdSn, window.expCmdSn(), window.maxCmdSn())
                && SerialNumber.lessThan(refCmdSn, cmdSn)) {
            // a command not received yet: treat its CmdSN as received (RFC 7143 section 11.5.1 b)
            window.skip(refCmdSn, p -> session.onPdu(p));
            respond(itt, TaskMgmtPdu.FUNCTION_COMPLETE);
            return;
        }
        respond(itt, TaskMgmtPdu.TASK_DOES_NOT_EXIST);
    }

    private void lunFunction(int itt, int lun, Reset reset) {
        if (session.target().lun(lun).isEmpty()) {
            respond(itt, TaskMgmtPdu.LUN_DOES_NOT_EXIST);
            return;
        }
        abortThenReset(itt, t -> t.lun == lun, reset, lun, false);
    }

    private void abortThenReset(int itt, Predicate<ScsiTask> which, Reset reset, int lun, boolean thenClose) {
        List<ScsiTask> victims = session.tasksSnapshot().stream().filter(which).toList();
        whenAborted(victims, () -> {
            var loop = connection.eventLoop();
            CompletableFuture.runAsync(() -> session.executor().reset(session.nexus(), reset, lun),
                            connection.context().workers())
                    .whenComplete((v, e) -> loop.execute(() -> {
                        if (e != null) {
                            LOG.warn("{}: {} failed in the SCSI layer: {}", session, reset, e.toString());
                            respond(itt, TaskMgmtPdu.FUNCTION_REJECTED);
                            return;
                        }
                        respond(itt, TaskMgmtPdu.FUNCTION_COMPLETE);
                        if (thenClose) {
                            connection.closeAfterFlush();
                        }
                    }));
        });
    }

    /** Aborts the tasks and runs {@code then} once none of them is still running. */
    private void whenAborted(List<ScsiTask> victims, Runnable then) {
        int[] pending = {0};
        for (ScsiTask task : victims) {
            if (task.state == ScsiTask.State.RUNNING) {
                pending[0]++;
                Runnable previous = task.onDone;
                task.onDone = () -> {
                    if (previous != null) {
                        previous.run();
                    }
                    if (--pending[0] == 0) {
                        then.run();
                    }
                };
            }
            session.abort(task);
        }
        if (pending[0] == 0) {
            then.run();
        }
    }

    private void respond(int itt, int response) {
        connection.send(TaskMgmtPdu.response(connection.alloc(), itt, response));
        connection.flushSoon();
    }
}
