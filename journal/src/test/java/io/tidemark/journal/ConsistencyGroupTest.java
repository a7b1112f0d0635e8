package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.BLOCK;
import static io.tidemark.journal.GroupFixture.VOLUME;
import static io.tidemark.journal.GroupFixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsistencyGroupTest {

    private static final long TIMEOUT_S = 30;

    @TempDir
    Path dir;

    private GroupFixture fx;

    @BeforeEach
    void open() throws Exception {
        fx = new GroupFixture(dir, 4096).open();
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    @Test
    void writesGetConsecutiveSequencesAndReadBack() throws Exception {
        long first = fx.group.write(VOLUME, 10, pattern(2, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        long second = fx.group.write(VOLUME, 11, pattern(1, 2), false).get(TIMEOUT_S, TimeUnit.SECONDS);

        assertThat(second).isEqualTo(first + 1);
        ByteBuffer expected = ByteBuffer.allocate(2 * BLOCK);
        expected.put(pattern(2, 1).limit(BLOCK)).put(pattern(1, 2));
        assertThat(fx.read(10, 2)).isEqualTo(expected.clear());
    }

    @Test
    void journalHoldsEveryCommandInOrderWithValidRecords() throws Exception {
        fx.group.write(VOLUME, 0, pattern(4, 3), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.group.unmap(VOLUME, 1, 2).get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.group.writeSame(VOLUME, 100, 50, pattern(1, 9)).get(TIMEOUT_S, TimeUnit.SECONDS);

        List<String> records = new ArrayList<>();
        try (JournalReader reader = fx.group.newReader()) {
            while (reader.next() == JournalReader.Step.RECORD) {
                JournalRecord r = reader.record().checkPayloadFor(BLOCK);
                records.add(r.type() + "@" + r.lba() + "+" + r.blockCount() + "#" + r.sequence());
            }
        }
        assertThat(records).containsExactly("WRITE@0+4#1", "UNMAP@1+2#2", "WRITE_SAME@100+50#3");
        assertThat(fx.read(0, 4)).isEqualTo(ByteBuffer.allocate(4 * BLOCK)
                .put(pattern(4, 3).limit(BLOCK)).put(new byte[2 * BLOCK])
                .put(pattern(4, 3).position(3 * BLOCK)).clear());
        for (int b = 100; b < 150; b += 7) {
            assertThat(fx.read(b, 1)).isEqualTo(pattern(1, 9));
        }
    }

    @Test
    void compareAndWriteWritesOnlyWhenTheBlocksMatch() throws Exception {
        fx.group.write(VOLUME, 5, pattern(2, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);

        long miss = fx.group.compareAndWrite(VOLUME, 5, pattern(2, 2), pattern(2, 3)).get(TIMEOUT_S, TimeUnit.SECONDS);
        long hit = fx.group.compareAndWrite(VOLUME, 5, pattern(2, 1), pattern(2, 4)).get(TIMEOUT_S, TimeUnit.SECONDS);

        assertThat(miss).isEqualTo(pattern(2, 1).mismatch(pattern(2, 2)));
        assertThat(hit).isEqualTo(-1);
        assertThat(fx.read(5, 2)).isEqualTo(pattern(2, 4));
    }

    @Test
    void compareAndWriteSeesWritesQueuedJustBeforeIt() throws Exception {
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            writes.add(fx.group.write(VOLUME, 9, pattern(1, i), false));
        }
        long result = fx.group.compareAndWrite(VOLUME, 9, pattern(1, 200), pattern(1, 999)).get(TIMEOUT_S, TimeUnit.SECONDS);

        assertThat(result).isEqualTo(-1);
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(fx.read(9, 1)).isEqualTo(pattern(1, 999));
    }

    @Test
    void readSeesAWriteSubmittedBeforeItEvenBeforeItCompletes() throws Exception {
        for (int i = 0; i < 100; i++) {
            fx.group.write(VOLUME, 20 + (i % 3), pattern(1, i), false);
            assertThat(fx.read(20 + (i % 3), 1)).isEqualTo(pattern(1, i));
        }
    }

    @Test
    void rejectsOutOfRangeAndMisalignedCommandsNamingTheLimit() {
        assertThat(fx.group.write(VOLUME, 4095, pattern(2, 1), false))
                .failsWithin(TIMEOUT_S, TimeUnit.SECONDS).withThrowableThat()
                .withMessageContaining("4095+2").withMessageContaining("0..4096");
        assertThatThrownBy(() -> fx.group.write(VOLUME, 0, ByteBuffer.allocate(100), false))
                .hasMessageContaining("100").hasMessageContaining("multiple of 512");
        assertThatThrownBy(() -> fx.group.write(3, 0, pattern(1, 1), false)).hasMessageContaining("volume id 3");
    }

    @Test
    void reopenAfterCleanCloseContinuesTheSequence() throws Exception {
        fx.group.write(VOLUME, 1, pattern(1, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        long last = fx.group.write(VOLUME, 2, pattern(1, 2), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.close();

        fx.open();

        assertThat(fx.group.checkpoint().sequence()).isEqualTo(last);
        assertThat(fx.group.write(VOLUME, 3, pattern(1, 3), false).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(last + 1);
        assertThat(fx.read(1, 2)).isEqualTo(ByteBuffer.allocate(2 * BLOCK).put(pattern(1, 1)).put(pattern(1, 2)).clear());
    }

    @Test
    void largestScsiTransferIsOneRecordThatReplays(@TempDir Path other) throws Exception {
        int blocks = JournalRecordDescriptor.MAX_PAYLOAD_LENGTH / BLOCK;
        try (GroupFixture big = new GroupFixture(other, blocks + 8).open()) {
            long seq = big.group.write(VOLUME, 8, pattern(blocks, 5), true).get(TIMEOUT_S, TimeUnit.SECONDS);
            big.crash();
            java.nio.file.Files.delete(big.config.directory().resolve(Checkpoint.FILE_NAME));
            big.open();

            assertThat(big.group.appendedSequence()).isEqualTo(seq);
            assertThat(big.read(8, blocks)).isEqualTo(pattern(blocks, 5));
        }
    }

    @Test
    void metricsCountAppendsBytesBatchesAndSequencesPerGroupAndVolume() throws Exception {
        for (int i = 0; i < 5; i++) {
            fx.group.write(VOLUME, i, pattern(2, i), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        fx.group.flush().get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.group.checkpointNow();

        var registry = fx.registry;
        assertThat(registry.get("tidemark.journal.appends").tags("group", "g1", "volume", "v").counter().count())
                .isEqualTo(5);
        assertThat(registry.get("tidemark.journal.appended.bytes").tags("group", "g1", "volume", "v").counter().count())
                .isEqualTo(5 * (64 + 2 * BLOCK));
        assertThat(registry.get("tidemark.journal.batch.records").tag("group", "g1").summary().totalAmount())
                .isEqualTo(5);
        assertThat(registry.get("tidemark.journal.fdatasync").tag("group", "g1").timer().count()).isGreaterThanOrEqualTo(1);
        assertThat(registry.get("tidemark.journal.sequence").tags("group", "g1", "state", "durable").gauge().value())
                .isEqualTo(5);
        assertThat(registry.get("tidemark.journal.ring.occupancy").gauge().value()).isZero();
        assertThat(registry.get("tidemark.journal.ring.capacity").gauge().value()).isEqualTo(1024);
        assertThat(registry.get("tidemark.journal.disk.bytes").gauge().value())
                .isBetween(5.0 * (68 + 2 * BLOCK), 1024.0 * 1024);
        fx.close();
        assertThat(registry.find("tidemark.journal.appends").counters()).as("meters removed at close").isEmpty();
    }

    @Test
    void closedGroupRefusesWrites() throws Exception {
        ConsistencyGroup group = fx.group;
        fx.close();

        assertThat(group.write(VOLUME, 0, pattern(1, 1), false)).failsWithin(TIMEOUT_S, TimeUnit.SECONDS)
                .withThrowableThat().withMessageContaining("closed");
    }
}
