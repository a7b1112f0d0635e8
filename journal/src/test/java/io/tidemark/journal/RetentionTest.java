package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.VOLUME;
import static io.tidemark.journal.GroupFixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cycles roll on the configured period; trimming honours the checkpoint, consumers, the window and the cap. */
class RetentionTest {

    private static final long TIMEOUT_S = 30;
    private static final long START = 1_800_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(START);
    private GroupFixture fx;

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    private void open(Duration retention, long sizeCap) throws Exception {
        fx = new GroupFixture(dir, 1024);
        fx.config = fx.config.withRetention(Duration.ofSeconds(1), retention, sizeCap)
                .withCheckpointInterval(Duration.ofHours(1)).withClock(clock);
        fx.open();
    }

    /** Writes three records in each of three one-second cycles: seqs 1-3, 4-6, 7-9. */
    private void writeThreeCycles() throws Exception {
        for (int cycle = 0; cycle < 3; cycle++) {
            for (int i = 0; i < 3; i++) {
                fx.group.write(VOLUME, cycle * 3 + i, pattern(1, cycle * 3 + i), false).get(TIMEOUT_S, TimeUnit.SECONDS);
            }
            clock.advance(Duration.ofSeconds(1));
        }
        // the current cycle holds 7-9 only once the clock no longer moves past it
        clock.advance(Duration.ofMillis(-1000));
    }

    @Test
    void cyclesRollOnThePeriodAndGoOnceEveryConsumerAcknowledgedThem() throws Exception {
        open(Duration.ZERO, 0);
        ConsumerPosition shipper = fx.group.registerConsumer("replication", 0);
        writeThreeCycles();
        assertThat(cycleFiles()).hasSize(3);

        fx.group.checkpointNow();
        assertThat(cycleFiles()).as("the shipper still needs everything").hasSize(3);

        shipper.acknowledge(5);
        fx.group.checkpointNow();
        assertThat(cycleFiles()).as("cycle 1 (1-3) is done, cycle 2 (4-6) is not").hasSize(2);

        shipper.acknowledge(9);
        fx.group.checkpointNow();
        assertThat(cycleFiles()).as("never the current cycle").hasSize(1);
        assertThat(sequences()).containsExactly(7L, 8L, 9L);
        assertThat(shipper.overrun()).isFalse();
    }

    @Test
    void retentionWindowKeepsCyclesNoConsumerNeeds() throws Exception {
        open(Duration.ofSeconds(10), 0);
        writeThreeCycles();

        fx.group.checkpointNow();
        assertThat(cycleFiles()).hasSize(3);

        clock.advance(Duration.ofSeconds(12));
        fx.group.checkpointNow();
        assertThat(cycleFiles()).hasSize(1);
    }

    @Test
    void sizeCapGivesUpWhatAConsumerStillWantsAndSaysSo() throws Exception {
        open(Duration.ofHours(1), 1);
        ConsumerPosition shipper = fx.group.registerConsumer("replication", 2);
        writeThreeCycles();

        fx.group.checkpointNow();

        assertThat(cycleFiles()).hasSize(1);
        assertThat(shipper.overrun()).isTrue();
        assertThat(shipper.overrunUpTo()).isEqualTo(6);
        assertThat(fx.registry.get("tidemark.journal.retention.forced.cycles").counter().count()).isEqualTo(2);
        assertThat(fx.registry.get("tidemark.journal.retention.forced.records").counter().count()).isEqualTo(4);
        assertThat(fx.group.write(VOLUME, 0, pattern(1, 0), false).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(10);
    }

    @Test
    void nothingPastTheStoresCheckpointIsTrimmedEvenAtTheCap() throws Exception {
        open(Duration.ZERO, 1);
        writeThreeCycles();
        // drop without checkpointing: the store checkpoint stays at 0
        fx.crash();
        fx.config = fx.config.withCheckpointInterval(Duration.ofHours(1));

        fx.open();

        assertThat(sequences()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    private List<Long> sequences() {
        List<Long> seqs = new ArrayList<>();
        try (JournalReader reader = fx.group.newReader()) {
            while (reader.next() == JournalReader.Step.RECORD) {
                seqs.add(reader.record().sequence());
            }
        }
        return seqs;
    }

    private List<Path> cycleFiles() throws IOException {
        try (Stream<Path> files = Files.list(fx.config.directory())) {
            return files.filter(p -> p.toString().endsWith(".cq4")).toList();
        }
    }
}
