package io.tidemark.appliance;

/** Start-up failed for a reason the operator can act on; the message says which and why. */
public final class StartupException extends Exception {

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    public StartupException(String message) {
        super(message);
    }
}
