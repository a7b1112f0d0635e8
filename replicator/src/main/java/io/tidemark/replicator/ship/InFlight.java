package io.tidemark.replicator.ship;

import java.util.ArrayDeque;

/**
 * Batches sent to the DR and not yet acknowledged: bounds the bytes in flight (the window).
 * Not thread-safe (the ship thread owns it).
 */
final class InFlight {

    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private long wireBytes;
    private long journalBytes;

    void add(long lastSequence, long wire, long journal) {
        batches.addLast(new Batch(lastSequence, wire, journal));
        wireBytes += wire;
        journalBytes += journal;
    }

    /** Forgets every batch whose last record is at or below {@code acked}. */
    void acknowledge(long acked) {
        while (!batches.isEmpty() && batches.peekFirst().lastSequence <= acked) {
            Batch b = batches.removeFirst();
            wireBytes -= b.wire;
            journalBytes -= b.journal;
        }
    }

    void clear() {
        batches.clear();
        wireBytes = 0;
        journalBytes = 0;
    }

    boolean isEmpty() {
        return batches.isEmpty();
    }

    /** Sealed bytes sent and not acknowledged. */
    long wireBytes() {
        return wireBytes;
    }

    /** Journal bytes of the records sent and not acknowledged. */
    long journalBytes() {
        return journalBytes;
    }

    private record Batch(long lastSequence, long wire, long journal) {
    }
}
