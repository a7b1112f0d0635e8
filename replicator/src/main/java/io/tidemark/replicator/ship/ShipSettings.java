package io.tidemark.replicator.ship;

import io.tidemark.replicator.seal.Compression;
import java.time.Duration;
import java.util.Objects;

/**
 * Knobs of one group's shipper (the appliance maps the replication.* config keys onto them).
 *
 * @param bandwidthLimit bytes per second on the wire, 0 = unlimited (replication.bandwidth-limit)
 * @param batchDelay     how often at most the shipper forces the journal durable to ship what was
 *                       appended (replication.batch-delay, 5ms)
 * @param batchBytes     sealed bytes per BATCH frame at most (replication.batch-bytes, 1M)
 * @param compression    payload compression (replication.compression)
 * @param syncTimeout    sync mode: no DR ack for this long degrades to async (replication.sync-timeout, 5s)
 * @param mode           "async" or "sync"
 */
public record ShipSettings(long bandwidthLimit, Duration batchDelay, int batchBytes, Compression compression,
                           Duration syncTimeout, String mode) {

    public static final String ASYNC = "async";
    public static final String SYNC = "sync";
    /** Largest batch: well under the link's 16 MiB frame limit. */
    public static final int MAX_BATCH_BYTES = 8 * 1024 * 1024;

    public ShipSettings {
        if (bandwidthLimit < 0) {
            throw new IllegalArgumentException("bandwidth limit: " + bandwidthLimit + " (expected: >= 0, 0 = none)");
        }
        Objects.requireNonNull(batchDelay, "batchDelay");
        if (batchDelay.isNegative()) {
            throw new IllegalArgumentException("batch delay: " + batchDelay + " (expected: >= 0)");
        }
        if (batchBytes < 4096 || batchBytes > MAX_BATCH_BYTES) {
            throw new IllegalArgumentException("batch bytes: " + batchBytes + " (expected: 4096.." + MAX_BATCH_BYTES + ")");
        }
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(syncTimeout, "syncTimeout");
        if (syncTimeout.isNegative() || syncTimeout.isZero()) {
            throw new IllegalArgumentException("sync timeout: " + syncTimeout + " (expected: > 0)");
        }
        if (!ASYNC.equals(mode) && !SYNC.equals(mode)) {
            throw new IllegalArgumentException("replication mode: " + mode + " (expected: async or sync)");
        }
    }

    /** The embedded defaults, async. */
    public static ShipSettings defaults() {
        return new ShipSettings(0, Duration.ofMillis(5), 1024 * 1024, Compression.ZSTD, Duration.ofSeconds(5), ASYNC);
    }

    public ShipSettings withMode(String mode) {
        return new ShipSettings(bandwidthLimit, batchDelay, batchBytes, compression, syncTimeout, mode);
    }

    public ShipSettings withBandwidthLimit(long bytesPerSecond) {
        return new ShipSettings(bytesPerSecond, batchDelay, batchBytes, compression, syncTimeout, mode);
    }

    public boolean sync() {
        return SYNC.equals(mode);
    }
}
