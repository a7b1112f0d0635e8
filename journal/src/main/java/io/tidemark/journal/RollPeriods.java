package io.tidemark.journal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/** The cycle lengths a journal can roll on: Chronicle's roll cycles by their period. */
public final class RollPeriods {

    private static final Map<Duration, RollCycle> BY_PERIOD = new LinkedHashMap<>();

    static {
        // one second exists for tests of rolling and trimming
        BY_PERIOD.put(Duration.ofSeconds(1), TestRollCycles.TEST_SECONDLY);
        BY_PERIOD.put(Duration.ofMinutes(5), RollCycles.FIVE_MINUTELY);
        BY_PERIOD.put(Duration.ofMinutes(10), RollCycles.TEN_MINUTELY);
        BY_PERIOD.put(Duration.ofMinutes(20), RollCycles.TWENTY_MINUTELY);
        BY_PERIOD.put(Duration.ofMinutes(30), RollCycles.HALF_HOURLY);
        BY_PERIOD.put(Duration.ofHours(1), RollCycles.FAST_HOURLY);
        BY_PERIOD.put(Duration.ofHours(2), RollCycles.TWO_HOURLY);
        BY_PERIOD.put(Duration.ofHours(4), RollCycles.FOUR_HOURLY);
        BY_PERIOD.put(Duration.ofHours(6), RollCycles.SIX_HOURLY);
        BY_PERIOD.put(Duration.ofDays(1), RollCycles.FAST_DAILY);
        BY_PERIOD.put(Duration.ofDays(7), RollCycles.WEEKLY);
    }

    private RollPeriods() {
    }

    /** The roll cycle for {@code period}; fails naming the period and the ones available. */
    public static RollCycle forPeriod(Duration period) {
        RollCycle cycle = period == null ? null : BY_PERIOD.get(period);
        if (cycle == null) {
            throw new IllegalArgumentException("journal roll period: " + period + " (expected: one of "
                    + BY_PERIOD.keySet() + ")");
        }
        return cycle;
    }
}
