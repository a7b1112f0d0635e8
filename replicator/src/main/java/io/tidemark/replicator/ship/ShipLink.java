package io.tidemark.replicator.ship;

import io.netty.buffer.ByteBuf;
import io.tidemark.replicator.link.FrameHandler;
import io.tidemark.replicator.link.LinkSession;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's end of one connection to the DR: takes RESUME, ACK and ERROR frames (on the
 * link's event loop, never blocking) and tells the shipper. A connection the shipper gave up on
 * keeps its handler, so frames of an old connection are told apart. Thread-safe.
 */
final class ShipLink implements FrameHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ShipLink.class);

    /** What the shipper hears from a connection. */
    interface Events {
        /** The DR holds everything up to {@code durable}. */
        void acknowledged(ShipLink link, long durable);

        /** The connection closed or became writable again: look again. */
        void changed();
    }

    private final String group;
    private final int groupId;
    private final String peer;
    private final Events events;
    final CompletableFuture<ResumeMessage> resume = new CompletableFuture<>();
    volatile LinkSession session;
    volatile boolean closed;
    private volatile Throwable cause;
    private volatile String error;

    ShipLink(String group, int groupId, String peer, Events events) {
        this.group = group;
        this.groupId = groupId;
        this.peer = peer;
        this.events = events;
    }

    @Override
    public void onFrame(LinkSession s, int type, ByteBuf payload) {
        try {
            switch (type) {
                case ReplicationFrames.RESUME -> resume.complete(ReplicationFrames.parse(payload, ResumeMessage.class));
                case ReplicationFrames.ACK -> events.acknowledged(this, ReplicationFrames.ackDurable(payload, groupId));
                case ReplicationFrames.ERROR -> {
                    ErrorMessage m = ReplicationFrames.parse(payload, ErrorMessage.class);
                    error = "peer refused seq " + m.sequence() + ": " + m.reason();
                    LOG.warn("group {}: peer {} refused seq {}: {}", group, peer, m.sequence(), m.reason());
                    s.close();
                }
                default -> {
                    error = "unexpected frame " + ReplicationFrames.name(type) + " from peer";
                    LOG.warn("group {}: unexpected frame {} from peer {}; closing", group, ReplicationFrames.name(type),
                            peer);
                    s.close();
                }
            }
        } catch (IOException e) {
            error = "bad " + ReplicationFrames.name(type) + " frame from peer: " + e.getMessage();
            LOG.warn("group {}: bad {} frame from peer {}: {}; closing", group, ReplicationFrames.name(type), peer,
                    e.getMessage());
            s.close();
        }
    }

    @Override
    public void onClose(LinkSession s, Throwable c) {
        cause = c;
        closed = true;
        resume.completeExceptionally(c != null ? c : new IOException(error != null ? error : "link closed"));
        events.changed();
    }

    @Override
    public void onWritable(LinkSession s) {
        events.changed();
    }

    /** Why the peer refused or the connection ended; null while nothing went wrong. */
    String error() {
        return error;
    }

    /** Why the connection closed, for the log and status. */
    String closeReason() {
        if (error != null) {
            return error;
        }
        Throwable c = cause;
        if (c != null) {
            return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        }
        return "closed by peer";
    }

    void close() {
        LinkSession s = session;
        if (s != null) {
            s.close();
        }
    }
}
