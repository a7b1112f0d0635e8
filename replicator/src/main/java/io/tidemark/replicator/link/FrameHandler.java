package io.tidemark.replicator.link;

import io.netty.buffer.ByteBuf;

/**
 * Receives the replication frames (types 16-255) of one link session. Called on the session's
 * event-loop thread, one call at a time: never block in it.
 */
public interface FrameHandler {

    /**
     * One frame. The link releases {@code payload} after this returns; call
     * {@code payload.retain()} (or retainedSlice) to keep it.
     */
    void onFrame(LinkSession session, int type, ByteBuf payload);

    /**
     * The session ended: exactly once for every session that opened. {@code cause} is null when
     * this side closed it ({@link LinkSession#close()}); otherwise it says why (peer closed,
     * idle timeout, TLS failure such as a record altered in flight, bad frame, revocation).
     */
    void onClose(LinkSession session, Throwable cause);

    /** The session became writable again after {@link LinkSession#writable()} was false. */
    default void onWritable(LinkSession session) {
    }
}
