package io.tidemark.appliance.config;

/** A configuration value that stops start-up; the message names the key, the value and where it came from. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super("config error: " + message);
    }
}
