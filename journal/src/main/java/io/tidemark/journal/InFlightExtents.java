package io.tidemark.journal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which parts of a volume have writes still in the ring, coarsely: the volume is cut into
 * regions of {@link #REGION_BLOCKS} blocks hashed onto {@link #BUCKETS} buckets, each holding
 * the highest sequence registered for any of its regions. A read waits until the store has
 * applied the highest sequence among the buckets it touches; a false overlap (another region
 * in the same bucket) only makes it wait a little longer, never miss a write. Lock-free and
 * thread-safe.
 */
final class InFlightExtents {

    static final int REGION_SHIFT = 11;
    static final long REGION_BLOCKS = 1L << REGION_SHIFT;
    static final int BUCKETS = 1024;

    private final AtomicLongArray highest = new AtomicLongArray(BUCKETS);

    /** Records that {@code blocks} blocks from {@code lba} will be written by {@code sequence}. */
    void register(long lba, long blocks, long sequence) {
        long first = lba >>> REGION_SHIFT;
        long last = (lba + Math.max(1, blocks) - 1) >>> REGION_SHIFT;
        if (last - first + 1 >= BUCKETS) {
            for (int b = 0; b < BUCKETS; b++) {
                raise(b, sequence);
            }
            return;
        }
        for (long region = first; region <= last; region++) {
            raise(bucket(region), sequence);
        }
    }

    /** The highest sequence registered for any bucket the range touches (0 when none). */
    long highestPending(long lba, long blocks) {
        long first = lba >>> REGION_SHIFT;
        long last = (lba + Math.max(1, blocks) - 1) >>> REGION_SHIFT;
        long max = 0;
        if (last - first + 1 >= BUCKETS) {
            for (int b = 0; b < BUCKETS; b++) {
                max = Math.max(max, highest.get(b));
            }
            return max;
        }
        for (long region = first; region <= last; region++) {
            max = Math.max(max, highest.get(bucket(region)));
        }
        return max;
    }

    private void raise(int bucket, long sequence) {
        long current;
        while ((current = highest.get(bucket)) < sequence) {
            if (highest.compareAndSet(bucket, current, sequence)) {
                return;
            }
        }
    }

    private static int bucket(long region) {
        return (int) (region & (BUCKETS - 1));
    }
}
