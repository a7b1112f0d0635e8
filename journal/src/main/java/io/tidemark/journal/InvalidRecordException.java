package io.tidemark.journal;

/** A journal record that fails validation; the message names the field, its value and the limit. */
public final class InvalidRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidRecordException(String message) {
        super(message);
    }
}
