package io.tidemark.iscsi.session;

import io.tidemark.iscsi.SessionInfo;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every logged-in session of a portal by TSIH: TSIH assignment, ISID reinstatement lookup,
 * listings. Thread-safe.
 */
public final class SessionRegistry {

    private final ConcurrentHashMap<Integer, Session> sessions = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong badConnections = new java.util.concurrent.atomic.AtomicLong();
    private int nextTsih = 1;

    /** Connections closed for malformed input or protocol violations since start. */
    public long badConnections() {
        return badConnections.get();
    }

    void countBadConnection() {
        badConnections.incrementAndGet();
    }

    /** Registers a session under a fresh TSIH (1..65535, never 0) and returns it. */
    synchronized int register(Session session) {
        for (int i = 0; i < 65535; i++) {
            int tsih = nextTsih;
            nextTsih = nextTsih == 65535 ? 1 : nextTsih + 1;
            if (sessions.putIfAbsent(tsih, session) == null) {
                return tsih;
            }
        }
        throw new IllegalStateException("TSIH space exhausted: 65535 sessions (expected: fewer)");
    }

    void unregister(int tsih, Session session) {
        sessions.remove(tsih, session);
    }

    /** The session with the same initiator port (name + ISID) on the same target, if any. */
    Session sameNexus(String initiatorName, byte[] isid, String targetName) {
        for (Session s : sessions.values()) {
            if (s.sameNexus(initiatorName, isid, targetName)) {
                return s;
            }
        }
        return null;
    }

    public List<Session> all() {
        return new ArrayList<>(sessions.values());
    }

    public List<SessionInfo> infos() {
        List<SessionInfo> out = new ArrayList<>();
        for (Session s : sessions.values()) {
            out.add(new SessionInfo(s.initiatorName(), HexFormat.of().formatHex(s.isid()), s.tsih(), s.targetName(),
                    s.remoteAddress(), 1, s.parameters().headerDigest(), s.parameters().dataDigest(),
                    s.authMethod()));
        }
        return out;
    }

    public boolean isEmpty() {
        return sessions.isEmpty();
    }
}
