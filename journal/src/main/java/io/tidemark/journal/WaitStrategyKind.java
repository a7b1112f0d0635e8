package io.tidemark.journal;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import java.util.function.Supplier;

/**
 * How the ring's stage threads wait for work (config {@code journal.wait-strategy}):
 * BACKOFF (default) blocks while the ring is empty and backs off (spin, yield, short naps)
 * while an upstream stage works; BLOCKING is Disruptor's, which busy-spins on upstream stages
 * (fine only with a core per stage thread); SLEEPING naps ~100 us-scale even when idle (three
 * threads per group waking thousands of times a second); YIELDING keeps three threads per
 * group spinning, only for dedicated cores.
 */
public enum WaitStrategyKind {
    BACKOFF(BackoffBlockingWaitStrategy::new),
    BLOCKING(BlockingWaitStrategy::new),
    SLEEPING(SleepingWaitStrategy::new),
    YIELDING(YieldingWaitStrategy::new);

    private final Supplier<WaitStrategy> factory;

    WaitStrategyKind(Supplier<WaitStrategy> factory) {
        this.factory = factory;
    }

    WaitStrategy create() {
        return factory.get();
    }
}
