package io.tidemark.replicator.link;

/** The peer broke the framing or the link protocol; the connection is closed. */
final class FrameException extends Exception {

    FrameException(String message) {
        super(message, null, false, false);
    }
}
