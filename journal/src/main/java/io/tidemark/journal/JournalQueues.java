package io.tidemark.journal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/** How a group's Chronicle Queue is built, in one place for the group, tools and tests. */
public final class JournalQueues {

    /**
     * Chronicle maps cycle files in blocks of this size and caps a document at a quarter of it:
     * 256 MiB lets the largest record (32 MiB payload plus header) through. Unwritten parts are holes.
     */
    static final long CHRONICLE_BLOCK_SIZE = 256L << 20;

    private JournalQueues() {
    }

    public static SingleChronicleQueue open(Path directory, Duration rollPeriod, Clock clock) {
        return SingleChronicleQueueBuilder.binary(directory)
                .rollCycle(RollPeriods.forPeriod(rollPeriod))
                .blockSize(CHRONICLE_BLOCK_SIZE)
                .timeProvider(new ClockTimeProvider(clock))
                .build();
    }
}
