package io.tidemark.replicator.link;

import io.netty.buffer.ByteBuf;
import io.tidemark.replicator.pki.Peer;
import java.util.concurrent.CompletableFuture;

/** One authenticated TLS connection to a pinned peer. Thread-safe. */
public interface LinkSession {

    /** The pinned peer at the other end. */
    Peer peer();

    /**
     * Sends one frame. Takes ownership of {@code payload} (released once written or on failure).
     * {@code type} must be 16-255 and the payload at most {@link FrameDescriptor#MAX_PAYLOAD} bytes.
     * Completes once the frame was handed to the socket; fails when the session is closed.
     */
    CompletableFuture<Void> send(int type, ByteBuf payload);

    /** False while more than the high-water mark of sent frames waits for the socket. */
    boolean writable();

    /** Closes the connection; the handler's onClose follows. Idempotent. */
    void close();
}
