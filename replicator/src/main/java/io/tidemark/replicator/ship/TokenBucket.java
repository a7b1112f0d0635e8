package io.tidemark.replicator.ship;

/**
 * A bandwidth limit: tokens are bytes, refilled at {@code rate} per second up to a burst of
 * 100 ms worth. A batch larger than the balance borrows: the caller waits until the debt is
 * paid. Not thread-safe (the ship thread owns it).
 */
final class TokenBucket {

    private final long rate;
    private final long burst;
    private double tokens;
    private long last;

    /** {@code rate} bytes/s, 0 = unlimited. */
    TokenBucket(long rate, long nowNanos) {
        this.rate = rate;
        this.burst = Math.max(64 * 1024, rate / 10);
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes {@code bytes}; returns how long to wait (nanoseconds) before sending them, 0 for now. */
    long take(long bytes, long nowNanos) {
        if (rate <= 0) {
            return 0;
        }
        refill(nowNanos);
        tokens -= bytes;
        return tokens >= 0 ? 0 : (long) (-tokens * 1e9 / rate);
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - last;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * (double) rate / 1e9);
            last = nowNanos;
        }
    }
}
