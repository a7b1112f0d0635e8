package io.tidemark.replicator.ship;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.replicator.link.FrameHandler;
import io.tidemark.replicator.link.FrameHandlerFactory;
import io.tidemark.replicator.link.LinkSession;
import io.tidemark.replicator.pki.Peer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The DR side of replication: one {@link ReceiverSession} per authenticated link session
 * (PROTECT opens the group's {@link ReplicaSink} through the {@link ReplicaDirectory}; batches
 * are checked, appended, synced and acknowledged on the session's own worker thread, never on
 * the event loop). Thread-safe.
 */
public final class ReplicaReceiver implements FrameHandlerFactory, AutoCloseable {

    private final ReplicaDirectory directory;
    private final MeterRegistry registry;
    private final Set<ReceiverSession> sessions = ConcurrentHashMap.newKeySet();
    private final Map<String, ReceiverSession> byGroup = new HashMap<>();
    private volatile boolean closed;

    public ReplicaReceiver(ReplicaDirectory directory, MeterRegistry registry) {
        this.directory = directory;
        this.registry = registry;
    }

    @Override
    public FrameHandler forPeer(Peer peer, LinkSession session) {
        ReceiverSession s = new ReceiverSession(peer, session, directory, registry, this);
        sessions.add(s);
        if (closed) {
            session.close();
        }
        s.start();
        return s;
    }

    /**
     * Makes {@code s} the only session serving {@code group}: an older one (a connection the
     * primary gave up on but that is not closed here yet) is ended first, and its worker finished,
     * so two sessions never append to one sink.
     */
    void claim(String group, ReceiverSession s) throws InterruptedException {
        ReceiverSession previous;
        synchronized (byGroup) {
            previous = byGroup.put(group, s);
        }
        if (previous != null && previous != s) {
            previous.shutdownAndWait();
        }
    }

    /** {@code s} ended. */
    void ended(String group, ReceiverSession s) {
        sessions.remove(s);
        if (group != null) {
            synchronized (byGroup) {
                byGroup.remove(group, s);
            }
        }
    }

    /** Sessions currently open. */
    public int sessions() {
        return sessions.size();
    }

    /**
     * Closes every session and waits for their workers: each finishes the frame it handles, syncs
     * what it appended and releases its sink, so the sinks can be closed next.
     */
    @Override
    public void close() {
        closed = true;
        for (ReceiverSession s : sessions) {
            s.shutdown();
        }
        for (ReceiverSession s : sessions) {
            try {
                s.shutdownAndWait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
