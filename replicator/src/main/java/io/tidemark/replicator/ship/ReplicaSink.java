package io.tidemark.replicator.ship;

import io.tidemark.replicator.seal.SealedRecord;
import java.io.IOException;

/**
 * The DR-side store of one replicated group (the DR history implements it). The
 * {@link ReplicaReceiver} calls it from one thread at a time.
 *
 * <p>Order: records arrive in order, each = previous + 1, with one exception: a METADATA
 * sync-start record (a full initial sync or resync) may follow a gap, including as the very
 * first record when {@link #durableSequence()} is 0; the sink accepts it and treats the points
 * before the next sync-complete as not consistent.
 */
public interface ReplicaSink {

    /** The primary epoch the sink has seen last (0 when none). */
    long epoch();

    /** Highest sequence held durably (0 = nothing yet). */
    long durableSequence();

    /**
     * Appends one record (its buffer is valid only during the call: copy what you keep). The
     * sink verifies the tag first (its RecordOpener); a tampered record is rejected with
     * {@link io.tidemark.replicator.seal.TamperedRecordException} and nothing of it is stored;
     * a record out of order is rejected with an IOException naming the sequence and the expected one.
     */
    void append(SealedRecord r) throws IOException;

    /** Makes every record appended so far durable; returns the durable sequence. */
    long sync() throws IOException;

    /**
     * True once a sync-complete record has been appended after the last sync-start: the DR holds
     * a consistent copy, and the primary resumes instead of restarting a full sync. A sink that
     * cannot tell says false (a restarted primary then redoes the full sync: correct, slower).
     */
    default boolean initialSyncComplete() {
        return false;
    }
}
