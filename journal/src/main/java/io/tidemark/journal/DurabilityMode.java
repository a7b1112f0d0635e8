package io.tidemark.journal;

/** When a group's writes become durable relative to their completion (config {@code journal.durability}). */
public enum DurabilityMode {
    /**
     * The write cache is enabled: a write completes once journaled and applied; the journal is
     * fdatasync'ed for FUA writes and SYNCHRONIZE CACHE, and every {@code journal.sync-interval}.
     */
    WRITE_BACK,
    /** Every write completes only after the journal holding it is fdatasync'ed. */
    WRITE_THROUGH
}
