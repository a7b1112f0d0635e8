package io.tidemark.journal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The highest sequence a single writer (the store applier) has finished, which other threads
 * can wait for. Advancing is one volatile write plus a volatile read; the lock is taken only
 * when someone waits. Thread-safe; {@link #advance} has a single caller at a time.
 */
final class AppliedSequence {

    private volatile long value;
    /** Chronicle index of the record at {@link #value}, or of an earlier one (written after value). */
    private volatile long index = -1;
    private final AtomicInteger waiters = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();

    AppliedSequence(long initial) {
        this.value = initial;
    }

    long get() {
        return value;
    }

    /** A Chronicle index at or before the record of {@link #get()} (read it before get()). */
    long index() {
        return index;
    }

    void advance(long sequence, long journalIndex) {
        value = sequence;
        // written after value: a reader that reads index then value never gets an index past value
        index = journalIndex;
        // volatile read after the volatile write above: a waiter that registered earlier is seen
        if (waiters.get() > 0) {
            wakeAll();
        }
    }

    /** Wakes waiters without advancing (the group failed: they re-check and give up). */
    void wakeAll() {
        lock.lock();
        try {
            advanced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until the value reaches {@code sequence}, {@code failed} turns true, or the timeout.
     *
     * @return true when reached, false when the group failed
     */
    boolean await(long sequence, long timeout, TimeUnit unit, java.util.function.BooleanSupplier failed)
            throws InterruptedException, TimeoutException {
        if (value >= sequence) {
            return true;
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        waiters.incrementAndGet();
        lock.lock();
        try {
            while (value < sequence) {
                if (failed.getAsBoolean()) {
                    return false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("applied sequence " + value + " did not reach " + sequence
                            + " within " + unit.toMillis(timeout) + " ms");
                }
                advanced.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
            waiters.decrementAndGet();
        }
    }
}
