package io.tidemark.replicator.ship;

import io.tidemark.journal.PeerGate;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sync mode's {@link PeerGate}: a command's future completes once the DR acknowledged its
 * sequence as durable. While degraded (no ack within the sync timeout) every future completes
 * at once, as in async mode. Thread-safe: the journal's completion thread asks, the link's
 * thread acknowledges, the ship thread checks the timeout.
 */
final class SyncGate implements PeerGate {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final AtomicLong acknowledged;
    private final ConcurrentSkipListMap<Long, Waiter> waiters = new ConcurrentSkipListMap<>();
    private volatile boolean degraded;

    SyncGate(long acknowledged) {
        this.acknowledged = new AtomicLong(acknowledged);
    }

    @Override
    public CompletableFuture<Void> whenAcknowledged(long sequence) {
        if (degraded || acknowledged.get() >= sequence) {
            return DONE;
        }
        Waiter w = waiters.computeIfAbsent(sequence, s -> new Waiter(System.nanoTime()));
        // an ack or degrade may have run between the check and the insert: re-check after publishing
        if (degraded || acknowledged.get() >= sequence) {
            releaseUpTo(degraded ? Long.MAX_VALUE : acknowledged.get());
        }
        return w.future;
    }

    /** The DR holds everything up to {@code sequence} durably. */
    void acknowledge(long sequence) {
        acknowledged.accumulateAndGet(sequence, Math::max);
        releaseUpTo(sequence);
    }

    /** How long the oldest waiting command has waited, in nanoseconds (0 when none waits). */
    long oldestWaitNanos(long nowNanos) {
        Map.Entry<Long, Waiter> first = waiters.firstEntry();
        return first == null ? 0 : nowNanos - first.getValue().since;
    }

    /** The sequence the oldest waiting command waits for, or -1. */
    long oldestWaiting() {
        Map.Entry<Long, Waiter> first = waiters.firstEntry();
        return first == null ? -1 : first.getKey();
    }

    /** Stops holding commands (async behaviour) and releases every waiting one. */
    void degrade() {
        degraded = true;
        releaseUpTo(Long.MAX_VALUE);
    }

    /** Holds commands again until acknowledged. */
    void restore() {
        degraded = false;
    }

    boolean degraded() {
        return degraded;
    }

    /** Releases every waiting command (the gate is being removed). */
    void releaseAll() {
        degrade();
    }

    private void releaseUpTo(long sequence) {
        ConcurrentNavigableMap<Long, Waiter> done = waiters.headMap(sequence, true);
        for (Map.Entry<Long, Waiter> e : done.entrySet()) {
            if (waiters.remove(e.getKey(), e.getValue())) {
                e.getValue().future.complete(null);
            }
        }
    }

    private static final class Waiter {
        final long since;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Waiter(long since) {
            this.since = since;
        }
    }
}
