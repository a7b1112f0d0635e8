package io.tidemark.iscsi.session;

import io.tidemark.iscsi.pdu.Bhs;
import io.tidemark.iscsi.pdu.Pdu;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The session's CmdSN window (RFC 7143 section 4.2.2.1): non-immediate commands are
 * delivered in CmdSN order; ones that arrive early wait here; ones outside
 * [ExpCmdSN, MaxCmdSN] are dropped. MaxCmdSN = ExpCmdSN + depth - 1 - commands still
 * running, so it never goes backwards and at most {@code depth} commands are in flight.
 * Not thread-safe: used on the connection's event loop.
 */
final class CommandWindow {

    private final int depth;
    private int expCmdSn;
    private int running;
    private final Map<Integer, Pdu> early = new HashMap<>();

    CommandWindow(int depth, int initialCmdSn) {
        this.depth = depth;
        this.expCmdSn = initialCmdSn;
    }

    int expCmdSn() {
        return expCmdSn;
    }

    int maxCmdSn() {
        return expCmdSn + depth - 1 - running;
    }

    /** What happened to a non-immediate PDU offered to the window. */
    enum Admission { DELIVERED, QUEUED, OUT_OF_WINDOW }

    /**
     * Delivers {@code pdu} (and any queued successors) to {@code deliver} when its CmdSN is
     * the next one; queues it when it is ahead within the window; else returns OUT_OF_WINDOW
     * and leaves the PDU to the caller.
     */
    Admission offer(Pdu pdu, Consumer<Pdu> deliver) {
        int cmdSn = Bhs.cmdSn(pdu.bhs());
        if (!SerialNumber.within(cmdSn, expCmdSn, maxCmdSn())) {
            return Admission.OUT_OF_WINDOW;
        }
        if (cmdSn != expCmdSn) {
            Pdu previous = early.put(cmdSn, pdu);
            if (previous != null) {
                previous.release();
            }
            return Admission.QUEUED;
        }
        expCmdSn++;
        deliver.accept(pdu);
        Pdu next;
        while ((next = early.remove(expCmdSn)) != null) {
            expCmdSn++;
            deliver.accept(next);
        }
        return Admission.DELIVERED;
    }

    /** Treats a CmdSN as received without a command (ABORT TASK of a command never seen). */
    void skip(int cmdSn, Consumer<Pdu> deliver) {
        if (cmdSn == expCmdSn) {
            expCmdSn++;
            Pdu next;
            while ((next = early.remove(expCmdSn)) != null) {
                expCmdSn++;
                deliver.accept(next);
            }
        }
    }

    void commandStarted() {
        running++;
    }

    void commandFinished() {
        running--;
    }

    int running() {
        return running;
    }

    void releaseQueued() {
        early.values().forEach(Pdu::release);
        early.clear();
    }
}
