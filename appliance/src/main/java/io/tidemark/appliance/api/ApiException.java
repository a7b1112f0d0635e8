package io.tidemark.appliance.api;

/** A request refused with a 4xx status; the message goes to the client as {"error": message}. */
public final class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
