package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.BLOCK;
import static io.tidemark.journal.GroupFixture.VOLUME;
import static io.tidemark.journal.GroupFixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.zip.CRC32C;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** seekAfter positions a reader right after a sequence, across cycle files, and says when it was trimmed. */
class SeekAfterTest {

    private static final long TIMEOUT_S = 30;
    private static final long START = 1_800_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(START);
    private GroupFixture fx;

    @AfterEach
    void close() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    private void openWithOneSecondCycles() throws Exception {
        fx = new GroupFixture(dir, 1024);
        fx.config = fx.config.withRetention(Duration.ofSeconds(1), Duration.ZERO, 0)
                .withCheckpointInterval(Duration.ofHours(1)).withClock(clock);
        fx.open();
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
    void nextRecordAfterASeekIsTheOneAfterTheSequenceInEveryCycle() throws Exception {
        openWithOneSecondCycles();
        writeThreeCycles();

        for (long seq = 0; seq <= 8; seq++) {
            try (JournalReader reader = fx.group.newReader()) {
                assertThat(reader.seekAfter(seq)).as("seek after %d", seq).isTrue();
                assertThat(reader.next()).isEqualTo(JournalReader.Step.RECORD);
                assertThat(reader.record().sequence()).as("after %d", seq).isEqualTo(seq + 1);
                if (seq < 8) {
                    assertThat(reader.next()).isEqualTo(JournalReader.Step.RECORD);
                    assertThat(reader.record().sequence()).as("then").isEqualTo(seq + 2);
                }
            }
        }
    }

    @Test
    void seekAfterTheLastRecordWaitsForTheNextOne() throws Exception {
        openWithOneSecondCycles();
        writeThreeCycles();
        try (JournalReader reader = fx.group.newReader()) {
            assertThat(reader.seekAfter(9)).isTrue();
            assertThat(reader.next()).isEqualTo(JournalReader.Step.END);

            fx.group.write(VOLUME, 0, pattern(1, 10), false).get(TIMEOUT_S, TimeUnit.SECONDS);

            assertThat(reader.next()).isEqualTo(JournalReader.Step.RECORD);
            assertThat(reader.record().sequence()).isEqualTo(10);
        }
    }

    @Test
    void seekPastTheLastAppendedSequenceIsRefused() throws Exception {
        openWithOneSecondCycles();
        writeThreeCycles();
        try (JournalReader reader = fx.group.newReader()) {
            assertThat(reader.seekAfter(10)).isFalse();
        }
    }

    @Test
    void seekOnAnEmptyJournalSucceedsOnlyFromItsStart() throws Exception {
        openWithOneSecondCycles();
        try (JournalReader reader = fx.group.newReader()) {
            assertThat(reader.seekAfter(0)).isTrue();
            assertThat(reader.next()).isEqualTo(JournalReader.Step.END);
            fx.group.write(VOLUME, 0, pattern(1, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(reader.next()).isEqualTo(JournalReader.Step.RECORD);
            assertThat(reader.record().sequence()).isEqualTo(1);
        }
    }

    @Test
    void seekIntoATrimmedCycleReturnsFalse() throws Exception {
        openWithOneSecondCycles();
        ConsumerPosition shipper = fx.group.registerConsumer("peer:dr", 0);
        writeThreeCycles();
        shipper.acknowledge(5);
        fx.group.checkpointNow();

        try (JournalReader reader = fx.group.newReader()) {
            for (long seq = 0; seq <= 2; seq++) {
                assertThat(reader.seekAfter(seq)).as("record %d was trimmed", seq + 1).isFalse();
            }
            assertThat(reader.seekAfter(3)).isTrue();
            assertThat(reader.next()).isEqualTo(JournalReader.Step.RECORD);
            assertThat(reader.record().sequence()).isEqualTo(4);
        }
    }

    @Test
    void seekInALargeCycleFindsEveryPosition() throws Exception {
        try (SingleChronicleQueue queue = JournalQueues.open(dir.resolve("raw"), GroupConfig.DEFAULT_ROLL_PERIOD,
                Clock.systemUTC())) {
            LongStream.rangeClosed(1, 3000).forEach(seq -> append(queue, seq));
            try (JournalReader reader = new JournalReader(queue, () -> 3000)) {
                for (long seq : new long[] {0, 1, 2, 999, 1000, 1001, 2047, 2998, 2999}) {
                    assertThat(reader.seekAfter(seq)).isTrue();
                    assertThat(reader.next()).isEqualTo(JournalReader.Step.RECORD);
                    assertThat(reader.record().sequence()).isEqualTo(seq + 1);
                }
                assertThat(reader.seekAfter(3000)).isTrue();
                assertThat(reader.next()).isEqualTo(JournalReader.Step.END);
            }
        }
    }

    @Test
    void seekFindsTheFirstLaterRecordWhenSequencesSkip() throws Exception {
        // not a journal the group writes (its sequences are contiguous): forces the binary search past the guess
        try (SingleChronicleQueue queue = JournalQueues.open(dir.resolve("raw"), GroupConfig.DEFAULT_ROLL_PERIOD,
                Clock.systemUTC())) {
            LongStream.rangeClosed(1, 40).forEach(seq -> append(queue, seq));
            LongStream.rangeClosed(50, 300).forEach(seq -> append(queue, seq));
            try (JournalReader reader = new JournalReader(queue)) {
                for (long[] c : new long[][] {{45, 50}, {40, 50}, {60, 61}, {49, 50}, {299, 300}, {3, 4}}) {
                    assertThat(reader.seekAfter(c[0])).isTrue();
                    assertThat(reader.next()).isEqualTo(JournalReader.Step.RECORD);
                    assertThat(reader.record().sequence()).as("after %d", c[0]).isEqualTo(c[1]);
                }
            }
        }
    }

    private static void append(SingleChronicleQueue queue, long sequence) {
        ByteBuffer data = pattern(1, (int) sequence);
        ByteBuffer header = ByteBuffer.allocateDirect(JournalRecordDescriptor.HEADER_LENGTH);
        JournalRecordDescriptor.encodeHeader(header, 0, RecordType.WRITE, 0, BLOCK, 1, VOLUME, 1, sequence, 0, 0, 1);
        JournalRecordDescriptor.putCrc(header, 0, JournalRecordDescriptor.crc(new CRC32C(), header, 0, data));
        try (ExcerptAppender appender = queue.createAppender();
             DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().writeSome(header);
            dc.wire().bytes().writeSome(data);
        }
    }
}
