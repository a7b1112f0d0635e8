package io.tidemark.replicator.pki;

/** Pairing failed; {@link #reason()} says why in a form the API can map to an answer. */
public final class PairingException extends Exception {

    /** Why pairing failed. */
    public enum Reason {
        /** The token is malformed, unknown or already used. */
        BAD_TOKEN,
        /** The token was valid but its time to live has passed. */
        EXPIRED,
        /** The certificate presented by the peer is not the one the token names. */
        FINGERPRINT_MISMATCH,
        /** The peer could not be reached (connection refused, timeout, TLS failure). */
        UNREACHABLE,
        /** The peer refused for another reason (bad name, protocol error). */
        REFUSED
    }

    private final Reason reason;

    public PairingException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PairingException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
