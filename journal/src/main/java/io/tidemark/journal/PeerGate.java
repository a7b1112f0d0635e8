package io.tidemark.journal;

import java.util.concurrent.CompletableFuture;

/**
 * Holds command completions until a peer acknowledged their records (synchronous replication).
 * While a group has a gate ({@link ConsistencyGroup#setPeerGate}), a write, UNMAP, WRITE SAME,
 * COMPARE AND WRITE or flush completes only once the journal's rules are met AND the gate's
 * future for its sequence completed; a gate future that fails fails the command with that cause.
 *
 * <p>Implementations must be thread-safe and must not block: {@link #whenAcknowledged} is called
 * on the group's completion ring thread. The returned futures may complete on any thread
 * (commands complete on that thread). A gate that is cleared or replaced must still complete
 * (or fail) every future it handed out: commands already waiting on it keep waiting.
 */
public interface PeerGate {

    /** Completes once the peer holds every record up to and including {@code sequence} durably. */
    CompletableFuture<Void> whenAcknowledged(long sequence);
}
