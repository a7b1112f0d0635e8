package io.tidemark.replicator.dr;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * A small bounded pool of reusable objects that takes and gives back without allocating or
 * locking: a fixed array of slots, each empty or holding one idle object, claimed with a
 * compare-and-set. A thread starts probing at a slot chosen by its id, so that a few threads
 * taking and giving back at once mostly touch different slots. What does not fit when given back
 * is refused (the caller disposes of it). Thread-safe.
 */
final class SlotPool<T> {

    private final AtomicReferenceArray<T> slots;
    private final int mask;

    /** A pool of {@code size} slots, rounded up to a power of two (at least 1). */
    SlotPool(int size) {
        int n = size <= 1 ? 1 : Integer.highestOneBit(size - 1) << 1;
        this.slots = new AtomicReferenceArray<>(n);
        this.mask = n - 1;
    }

    /**
     * Slots for a pool of per-reader state: 32 (twice the iSCSI target's default of 16 threads
     * running SCSI commands), or twice the processors on a larger machine, up to 128.
     */
    static int defaultSize() {
        return Math.min(128, Math.max(32, 2 * Runtime.getRuntime().availableProcessors()));
    }

    /** An idle object, now the caller's alone, or null when the pool is empty. */
    T poll() {
        int start = start();
        for (int i = 0; i <= mask; i++) {
            int slot = (start + i) & mask;
            T v = slots.get(slot);
            if (v != null && slots.compareAndSet(slot, v, null)) {
                return v;
            }
        }
        return null;
    }

    /** Gives {@code v} back; false when every slot is taken (the caller disposes of {@code v}). */
    boolean offer(T v) {
        int start = start();
        for (int i = 0; i <= mask; i++) {
            int slot = (start + i) & mask;
            if (slots.get(slot) == null && slots.compareAndSet(slot, null, v)) {
                return true;
            }
        }
        return false;
    }

    /** Takes every idle object out and hands each to {@code action}; returns how many. */
    int drain(Consumer<? super T> action) {
        int n = 0;
        for (int slot = 0; slot <= mask; slot++) {
            T v = slots.getAndSet(slot, null);
            if (v != null) {
                action.accept(v);
                n++;
            }
        }
        return n;
    }

    /** Idle objects right now. */
    int idle() {
        int n = 0;
        for (int slot = 0; slot <= mask; slot++) {
            if (slots.get(slot) != null) {
                n++;
            }
        }
        return n;
    }

    int capacity() {
        return mask + 1;
    }

    private static int start() {
        return (int) Thread.currentThread().getId();
    }
}
