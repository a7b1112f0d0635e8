package io.tidemark.replicator.ship;

import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.replicator.seal.Metadata;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One full sync of a group (initial or after the journal lost what the DR needed): after the
 * sync-start marker, every volume is read through the ring in {@link #CHUNK_BYTES} chunks
 * ({@link ConsistencyGroup#syncChunk}: each chunk is consistent at its place in the write
 * order), then the sync-complete marker. Progress counts the chunks the DR acknowledged.
 * Not thread-safe: the ship thread drives it (chunk completions land in thread-safe fields).
 */
final class InitialSync {

    static final int CHUNK_BYTES = 1024 * 1024;
    /** Chunks being read by the ring at once. */
    static final int MAX_OUTSTANDING = 4;
    /** Chunk bytes journaled but not yet acknowledged by the DR: bounds journal growth while syncing. */
    static final long WINDOW_BYTES = 32L * 1024 * 1024;

    private final GroupDescriptor desc;
    private final long startSequence;
    private final long startNanos;
    private final long totalBytes;
    private final ConcurrentSkipListMap<Long, Long> journaled = new ConcurrentSkipListMap<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private int volumeIndex;
    private long nextLba;
    private long issuedBytes;
    private volatile long doneBytes;
    private CompletableFuture<Long> completeMarker;
    private volatile long completeSequence = -1;
    private volatile boolean cancelled;

    InitialSync(GroupDescriptor desc, long startSequence, long nowNanos) {
        this.desc = desc;
        this.startSequence = startSequence;
        this.startNanos = nowNanos;
        this.totalBytes = desc.totalBytes();
    }

    long startSequence() {
        return startSequence;
    }

    /** Issues more chunks while the limits allow; appends sync-complete once all are journaled. True if it did something. */
    boolean pump(ConsistencyGroup group) {
        if (cancelled || failure.get() != null || completeMarker != null) {
            return false;
        }
        boolean issued = false;
        while (volumeIndex < desc.volumes().size() && outstanding.get() < MAX_OUTSTANDING
                && issuedBytes - doneBytes < WINDOW_BYTES) {
            VolumeDescriptor v = desc.volumes().get(volumeIndex);
            long blocks = Math.min(CHUNK_BYTES / v.blockSize(), v.blockCount() - nextLba);
            if (blocks <= 0) {
                volumeIndex++;
                nextLba = 0;
                continue;
            }
            long bytes = blocks * v.blockSize();
            outstanding.incrementAndGet();
            group.syncChunk(v.volumeId(), nextLba, blocks).whenComplete((seq, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    journaled.put(seq, bytes);
                }
                outstanding.decrementAndGet();
            });
            nextLba += blocks;
            issuedBytes += bytes;
            issued = true;
        }
        if (volumeIndex >= desc.volumes().size() && outstanding.get() == 0 && failure.get() == null) {
            completeMarker = group.appendMetadata(Metadata.syncComplete().toBytes());
            completeMarker.whenComplete((seq, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    completeSequence = seq;
                }
            });
            issued = true;
        }
        return issued;
    }

    /** The DR holds everything up to {@code acked}: counts the chunks it covers. */
    void acknowledged(long acked) {
        long done = doneBytes;
        Map.Entry<Long, Long> e;
        while ((e = journaled.firstEntry()) != null && e.getKey() <= acked) {
            if (journaled.remove(e.getKey()) != null) {
                done += e.getValue();
            }
        }
        doneBytes = done;
    }

    /** True once the DR acknowledged the sync-complete marker. */
    boolean complete(long acked) {
        long c = completeSequence;
        return c > 0 && acked >= c;
    }

    /** A chunk read or marker append failed (the group failed or closed); null if none. */
    Throwable failure() {
        return failure.get();
    }

    void cancel() {
        cancelled = true;
    }

    long doneBytes() {
        return doneBytes;
    }

    long totalBytes() {
        return totalBytes;
    }

    /** Seconds to completion at the rate so far; -1 before the first acknowledged chunk. */
    double etaSeconds(long nowNanos) {
        long done = doneBytes;
        if (done >= totalBytes) {
            return 0;
        }
        if (done <= 0) {
            return -1;
        }
        double rate = done / ((nowNanos - startNanos) / 1e9);
        return (totalBytes - done) / rate;
    }
}
