package io.tidemark.journal;

import java.io.IOException;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The force thread of a group's journal (BookKeeper's force-write thread): the appender keeps
 * appending while this thread fdatasyncs what was appended so far, so one sync covers every
 * record that arrived meanwhile (group commit). It syncs when a FUA write, a flush or a
 * write-through write waits for a sequence already appended, and at least every
 * {@code syncInterval} while appended records are not yet durable. Thread-safe.
 */
final class JournalSync implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JournalSync.class);

    private final String group;
    private final CycleFileForcer forcer;
    private final long intervalNanos;
    private final SyncHook hook;
    private final JournalMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    /** Guarded by lock: futures waiting for durability, lowest sequence first. */
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();
    private final Thread thread;

    private volatile long appended;
    private volatile long durable;
    /** Written under lock: the highest sequence some caller asked to be made durable. */
    private volatile long requested;
    private volatile boolean closing;
    private volatile IOException failure;

    JournalSync(String group, CycleFileForcer forcer, Duration interval, SyncHook hook, JournalMetrics metrics,
                long initialDurable) {
        this.group = group;
        this.forcer = forcer;
        this.intervalNanos = interval.isZero() ? Long.MAX_VALUE : interval.toNanos();
        this.hook = hook;
        this.metrics = metrics;
        this.appended = initialDurable;
        this.durable = initialDurable;
        this.thread = new Thread(this::run, "tidemark-journal-sync-" + group);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    long durable() {
        return durable;
    }

    long appended() {
        return appended;
    }

    /** The appender finished writing every record up to {@code sequence} (end of a batch). */
    void appended(long sequence, boolean syncWanted) {
        appended = sequence;
        // volatile read after the write above: a waiter registered before it is not missed
        if (syncWanted || requested > durable) {
            request(sequence);
        }
    }

    /** Asks for a sync covering {@code sequence} without waiting for it. */
    void request(long sequence) {
        lock.lock();
        try {
            if (sequence > requested) {
                requested = sequence;
            }
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Completes (with the durable sequence) once every record up to {@code sequence} is durable. */
    CompletableFuture<Long> whenDurable(long sequence) {
        long now = durable;
        if (now >= sequence) {
            return CompletableFuture.completedFuture(now);
        }
        IOException failed = failure;
        if (failed != null) {
            return CompletableFuture.failedFuture(failed);
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        lock.lock();
        try {
            waiters.add(new Waiter(sequence, future));
            if (sequence > requested) {
                requested = sequence;
            }
            work.signal();
        } finally {
            lock.unlock();
        }
        // the force thread may have passed this sequence between the check above and the add
        if (durable >= sequence || failure != null) {
            completeWaiters();
        }
        return future;
    }

    private void run() {
        long nextPeriodic = System.nanoTime() + intervalNanos;
        while (true) {
            long target;
            lock.lock();
            try {
                while (true) {
                    long have = appended;
                    boolean unsynced = have > durable;
                    // group commit: sync everything appended so far as soon as anyone waits for any of it
                    boolean wanted = unsynced && requested > durable;
                    boolean periodic = unsynced && System.nanoTime() - nextPeriodic >= 0;
                    if (wanted || periodic || closing) {
                        break;
                    }
                    long wait = unsynced ? Math.max(1, nextPeriodic - System.nanoTime()) : Long.MAX_VALUE;
                    try {
                        work.awaitNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                target = appended;
            } finally {
                lock.unlock();
            }
            if (target > durable && failure == null) {
                sync(target);
            }
            nextPeriodic = System.nanoTime() + intervalNanos;
            completeWaiters();
            if (closing && appended <= durable) {
                return;
            }
            if (closing && failure != null) {
                return;
            }
        }
    }

    private void sync(long target) {
        try {
            hook.beforeSync(target);
            long start = System.nanoTime();
            forcer.force();
            metrics.syncDone(System.nanoTime() - start);
            durable = target;
            hook.afterSync(target);
        } catch (IOException e) {
            // after a failed fdatasync the page cache may have dropped the data: never retry as if it worked
            failure = e;
            LOG.error("journal of group {}: fdatasync failed, records after {} are not durable: {}", group, durable,
                    e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
        }
    }

    private void completeWaiters() {
        long done = durable;
        IOException failed = failure;
        while (true) {
            Waiter ready;
            lock.lock();
            try {
                ready = waiters.peek();
                if (ready == null || (ready.sequence > done && failed == null)) {
                    return;
                }
                waiters.poll();
            } finally {
                lock.unlock();
            }
            if (ready.sequence <= done) {
                ready.future.complete(done);
            } else {
                ready.future.completeExceptionally(failed);
            }
        }
    }

    boolean failed() {
        return failure != null;
    }

    /** Syncs whatever was appended, completes the waiters it covers, stops the thread. */
    @Override
    public void close() {
        closing = true;
        lock.lock();
        try {
            work.signal();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failRemaining(new IOException("journal of group " + group + " closed before the record was durable"));
    }

    /** Stops the thread without a final sync (a crash, as tests simulate it). */
    void abandon() {
        failure = new IOException("journal of group " + group + " abandoned");
        close();
    }

    private void failRemaining(IOException cause) {
        lock.lock();
        try {
            Waiter w;
            while ((w = waiters.poll()) != null) {
                if (w.sequence <= durable) {
                    w.future.complete(durable);
                } else {
                    w.future.completeExceptionally(cause);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private record Waiter(long sequence, CompletableFuture<Long> future) implements Comparable<Waiter> {
        @Override
        public int compareTo(Waiter other) {
            return Long.compare(sequence, other.sequence);
        }
    }
}
