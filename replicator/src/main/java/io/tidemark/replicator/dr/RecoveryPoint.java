package io.tidemark.replicator.dr;

import java.time.Instant;

/**
 * A point of a replica's history a view can be opened at: the state after every record up to
 * and including {@code sequence}.
 *
 * @param sequence the last record the point includes
 * @param time     that record's timestamp (primary clock)
 * @param name     the checkpoint's name, or null for an automatic point
 */
public record RecoveryPoint(long sequence, Instant time, String name) {

    public boolean named() {
        return name != null;
    }
}
