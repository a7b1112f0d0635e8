package io.tidemark.journal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How far one journal consumer (the replication shipper, a backup job) no longer needs the
 * journal: retention never trims a record past the lowest acknowledged position, except at the
 * size cap, which marks the consumer {@link #overrun()} (it then must resync). Thread-safe.
 */
public final class ConsumerPosition {

    private final String name;
    private final AtomicLong acknowledged;
    private volatile long overrunUpTo = -1;

    ConsumerPosition(String name, long acknowledged) {
        this.name = name;
        this.acknowledged = new AtomicLong(acknowledged);
    }

    public String name() {
        return name;
    }

    /** The consumer no longer needs records up to and including {@code sequence}. */
    public void acknowledge(long sequence) {
        acknowledged.accumulateAndGet(sequence, Math::max);
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    /** True once the size cap trimmed records this consumer still needed. */
    public boolean overrun() {
        return overrunUpTo >= 0;
    }

    /** The highest sequence given up while this consumer still needed it, or -1. */
    public long overrunUpTo() {
        return overrunUpTo;
    }

    void overrun(long upTo) {
        overrunUpTo = Math.max(overrunUpTo, upTo);
        acknowledge(upTo);
    }
}
