package io.tidemark.appliance.api;

import java.util.List;

/**
 * A consistency group in API responses, on either side. Fields that do not apply to the
 * group's role or state are null (e.g. {@code window} on the primary, {@code lag} on the replica).
 *
 * @param role        "primary" (its volumes are served here) or "replica" (its history is kept here)
 * @param state       primary: "unprotected", or the shipper's state ("connecting", "syncing", "protected", ...);
 *                    replica: "syncing" until the initial sync completed, then "protected"
 * @param volumes     member volume names, in LUN order of point-in-time views
 * @param peer        the peer it replicates to (primary) or from (replica)
 * @param mode        "async" or "sync" (primary, once protected)
 * @param pinnedViews point-in-time views pinning the replica's history
 */
public record GroupView(String name, String role, String state, List<String> volumes, String peer, String mode,
                        Sync sync, Lag lag, Window window, Integer pinnedViews, Sequence sequence) {

    /** Initial sync progress; {@code percent} 0..100. */
    public record Sync(long doneBytes, long totalBytes, double percent, Double etaSeconds) {}

    /** The RPO: how far the replica is behind the primary. */
    public record Lag(double seconds, long bytes) {}

    /** The replica's history: the oldest and newest points one can recover. */
    public record Window(Point oldest, Point newest) {}

    /** @param time ISO-8601 */
    public record Point(long sequence, String time) {}

    /** Journal sequences; shipped and acked only on a protected primary, durable on a replica = newest received. */
    public record Sequence(Long appended, Long durable, Long shipped, Long acked) {}
}
