package io.tidemark.appliance.cli;

import java.net.URI;
import picocli.CommandLine;

/** The {@code --admin HOST:PORT} of the appliance the CLI talks to. */
public record AdminEndpoint(String host, int port) {

    public static final String DEFAULT = "127.0.0.1:9090";

    public URI uri(String path) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + h + ":" + port + path);
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }

    /** Parses HOST:PORT (IPv6 as [addr]:port); a bad value is a usage error. */
    public static AdminEndpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = -1;
        try {
            port = colon > 0 ? Integer.parseInt(text.substring(colon + 1)) : -1;
        } catch (NumberFormatException ignored) {
            // reported below with the accepted form
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new CommandLine.TypeConversionException("--admin: " + text + " (expected: HOST:PORT, port 1..65535)");
        }
        return new AdminEndpoint(host, port);
    }
}
