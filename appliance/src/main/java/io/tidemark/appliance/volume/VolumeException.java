package io.tidemark.appliance.volume;

/** A volume operation refused; the message is the reason an operator reads. */
public final class VolumeException extends RuntimeException {

    /** Why, in terms the API maps to HTTP status codes. */
    public enum Reason { INVALID, NOT_FOUND, CONFLICT, STORAGE }

    private final Reason reason;

    public VolumeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public VolumeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
