package io.tidemark.replicator.link;

import java.time.Duration;

/**
 * Timers of the replication link.
 *
 * @param pingInterval     a PING is sent after this long without sending anything
 * @param idleTimeout      the connection is closed after this long without receiving anything (give or take half)
 * @param handshakeTimeout TLS handshake plus HELLO/READY (or PAIR/PAIRED) must finish within this
 * @param connectTimeout   TCP connect timeout of the dialing side
 */
public record LinkSettings(Duration pingInterval, Duration idleTimeout, Duration handshakeTimeout, Duration connectTimeout) {

    public static final LinkSettings DEFAULTS =
            new LinkSettings(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(5));

    public LinkSettings {
        positive("pingInterval", pingInterval);
        positive("idleTimeout", idleTimeout);
        positive("handshakeTimeout", handshakeTimeout);
        positive("connectTimeout", connectTimeout);
        if (pingInterval.multipliedBy(2).compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("pingInterval: " + pingInterval + " (expected: < half the idleTimeout " + idleTimeout + ")");
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}
