package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.VOLUME;
import static io.tidemark.journal.GroupFixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consumer positions live in the journal directory: retention honours them right after a reopen. */
class ConsumerPersistenceTest {

    private static final long TIMEOUT_S = 30;
    private static final long START = 1_800_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(START);
    private GroupFixture fx;

    @BeforeEach
    void open() throws Exception {
        fx = new GroupFixture(dir, 1024);
        fx.config = fx.config.withRetention(Duration.ofSeconds(1), Duration.ZERO, 0)
                .withCheckpointInterval(Duration.ofHours(1)).withClock(clock);
        fx.open();
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    /** Seqs 1-3, 4-6, 7-9 in three one-second cycles. */
    private void writeThreeCycles() throws Exception {
        for (int cycle = 0; cycle < 3; cycle++) {
            for (int i = 0; i < 3; i++) {
                fx.group.write(VOLUME, cycle * 3 + i, pattern(1, cycle * 3 + i), false).get(TIMEOUT_S, TimeUnit.SECONDS);
            }
            clock.advance(Duration.ofSeconds(1));
        }
        clock.advance(Duration.ofMillis(-1000));
    }

    @Test
    void registeredConsumerIsListedAfterAReopen() throws Exception {
        fx.group.registerConsumer("peer:dr", 0);
        fx.group.registerConsumer("backup", 0);
        fx.close();

        fx.open();

        assertThat(fx.group.consumers()).extracting(ConsumerPosition::name).containsExactly("backup", "peer:dr");
        assertThat(fx.group.registerConsumer("peer:dr", 7).acknowledged()).as("existing position kept").isZero();
    }

    @Test
    void persistedPositionHoldsRetentionAfterACrashBeforeAnyoneRegisters() throws Exception {
        ConsumerPosition shipper = fx.group.registerConsumer("peer:dr", 0);
        writeThreeCycles();
        shipper.acknowledge(5);
        fx.group.checkpointNow();
        assertThat(cycleFiles()).hasSize(2);
        fx.crash();

        fx.open();
        fx.group.checkpointNow();

        assertThat(fx.group.consumers()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("peer:dr");
            assertThat(c.acknowledged()).isEqualTo(5);
        });
        assertThat(cycleFiles()).as("cycle 4-6 is still needed by peer:dr").hasSize(2);
    }

    @Test
    void acknowledgementNotYetCheckpointedComesBackOlderNeverNewer() throws Exception {
        ConsumerPosition shipper = fx.group.registerConsumer("peer:dr", 2);
        writeThreeCycles();
        shipper.acknowledge(9);
        fx.crash();

        fx.open();

        assertThat(fx.group.consumers()).singleElement().extracting(ConsumerPosition::acknowledged).isEqualTo(2L);
    }

    @Test
    void unregisteredConsumerIsGoneForGoodAndNoLongerHoldsRetention() throws Exception {
        fx.group.registerConsumer("peer:dr", 0);
        writeThreeCycles();
        fx.group.unregisterConsumer("peer:dr");
        fx.crash();

        fx.open();
        fx.group.checkpointNow();

        assertThat(fx.group.consumers()).isEmpty();
        assertThat(cycleFiles()).hasSize(1);
    }

    private java.util.List<Path> cycleFiles() throws IOException {
        try (Stream<Path> files = Files.list(fx.config.directory())) {
            return files.filter(p -> p.toString().endsWith(".cq4")).toList();
        }
    }
}
