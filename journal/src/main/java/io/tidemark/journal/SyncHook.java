package io.tidemark.journal;

/**
 * Observes each fdatasync of a group's journal, on the force thread (tests gate and count
 * syncs with it). Implementations must be thread-safe.
 */
public interface SyncHook {

    SyncHook NONE = new SyncHook() {
    };

    /** Called before the journal is forced to make every record up to {@code sequence} durable. */
    default void beforeSync(long sequence) throws InterruptedException {
    }

    /** Called once every record up to {@code sequence} is durable. */
    default void afterSync(long sequence) {
    }
}
