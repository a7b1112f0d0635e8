package io.tidemark.appliance.cli;

/** A command failed for a reason printed as "error: message"; exit code 1. */
public final class CliException extends RuntimeException {

    public CliException(String message) {
        super(message);
    }
}
