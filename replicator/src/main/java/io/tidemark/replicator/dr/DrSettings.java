package io.tidemark.replicator.dr;

import java.time.Duration;

/**
 * How long and how much history a DR replica keeps, and how often it marks automatic recovery
 * points.
 *
 * @param retention          records older than this (by their primary-side timestamp) are applied to the base
 * @param sizeCap            bytes of DR journal kept at most; older records are applied to the base first (0 = none)
 * @param checkpointInterval one automatic recovery point per interval of stream time
 */
public record DrSettings(Duration retention, long sizeCap, Duration checkpointInterval) {

    public DrSettings {
        if (retention == null || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("dr.retention: " + retention + " (expected: > 0)");
        }
        if (sizeCap < 0) {
            throw new IllegalArgumentException("dr.size-cap: " + sizeCap + " (expected: >= 0, 0 = none)");
        }
        if (checkpointInterval == null || checkpointInterval.toMillis() < 1) {
            throw new IllegalArgumentException("dr.checkpoint-interval: " + checkpointInterval + " (expected: >= 1ms)");
        }
    }

    /** The embedded defaults: 24 hours, no size cap, a point every second. */
    public static DrSettings defaults() {
        return new DrSettings(Duration.ofHours(24), 0, Duration.ofSeconds(1));
    }
}
