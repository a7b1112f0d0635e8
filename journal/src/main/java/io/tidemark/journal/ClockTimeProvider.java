package io.tidemark.journal;

import java.time.Clock;
import net.openhft.chronicle.core.time.TimeProvider;

/** Chronicle's time source (which decides cycle rolls) read from a {@link Clock}. Thread-safe. */
final class ClockTimeProvider implements TimeProvider {

    private final Clock clock;

    ClockTimeProvider(Clock clock) {
        this.clock = clock;
    }

    @Override
    public long currentTimeMillis() {
        return clock.millis();
    }

    @Override
    public long currentTimeMicros() {
        return clock.millis() * 1000;
    }

    @Override
    public long currentTimeNanos() {
        return clock.millis() * 1_000_000;
    }
}
