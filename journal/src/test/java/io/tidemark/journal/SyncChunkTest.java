package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.BLOCK;
import static io.tidemark.journal.GroupFixture.VOLUME;
import static io.tidemark.journal.GroupFixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** syncChunk journals the blocks as of its place in the order: every command before it, none after. */
class SyncChunkTest {

    private static final long TIMEOUT_S = 30;
    private static final int REGION = 64;

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
    void chunkOfUnwrittenBlocksIsAZeroRecordWithoutPayload() throws Exception {
        long seq = fx.group.syncChunk(VOLUME, 100, 16).get(TIMEOUT_S, TimeUnit.SECONDS);

        try (JournalReader reader = fx.group.newReader()) {
            assertThat(reader.next()).isEqualTo(JournalReader.Step.RECORD);
            JournalRecord r = reader.record().checkPayloadFor(BLOCK);
            assertThat(r.type()).isEqualTo(RecordType.SNAPSHOT);
            assertThat(r.sequence()).isEqualTo(seq);
            assertThat(r.flags() & JournalRecordDescriptor.FLAG_ZERO).isNotZero();
            assertThat(r.payloadLength()).isZero();
            assertThat(r.lba()).isEqualTo(100);
            assertThat(r.blockCount()).isEqualTo(16);
        }
    }

    @Test
    void chunkCarriesTheWrittenContentAndChangesNothing() throws Exception {
        fx.group.write(VOLUME, 3, pattern(2, 5), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        ByteBuffer before = fx.read(0, 8);

        long seq = fx.group.syncChunk(VOLUME, 0, 8).get(TIMEOUT_S, TimeUnit.SECONDS);

        assertThat(seq).isEqualTo(2);
        assertThat(fx.read(0, 8)).isEqualTo(before);
        try (JournalReader reader = fx.group.newReader()) {
            assertThat(reader.seekAfter(1)).isTrue();
            assertThat(reader.next()).isEqualTo(JournalReader.Step.RECORD);
            assertThat(reader.record().flags() & JournalRecordDescriptor.FLAG_ZERO).isZero();
            assertThat(reader.record().payload()).isEqualTo(before);
        }
    }

    @Test
    void chunkBeyondTheVolumeOrTooLargeIsRefusedNamingTheLimit() {
        assertThat(fx.group.syncChunk(VOLUME, 4090, 16)).failsWithin(TIMEOUT_S, TimeUnit.SECONDS)
                .withThrowableThat().withMessageContaining("4090+16").withMessageContaining("0..4096");
        long max = JournalRecordDescriptor.MAX_PAYLOAD_LENGTH / BLOCK;
        assertThat(fx.group.syncChunk(VOLUME, 0, max + 1)).failsWithin(TIMEOUT_S, TimeUnit.SECONDS)
                .withThrowableThat().withMessageContaining(String.valueOf(max + 1)).withMessageContaining("1.." + max);
    }

    @Test
    void chunksUnderConcurrentWritersSeeExactlyTheCommandsBeforeThem() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int writer = w;
                tasks.add(pool.submit(() -> {
                    Random random = new Random(writer);
                    for (int i = 0; i < 300; i++) {
                        int blocks = 1 + random.nextInt(4);
                        long lba = random.nextInt(REGION - blocks + 1);
                        CompletableFuture<Long> done = switch (i % 10) {
                            case 7 -> fx.group.unmap(VOLUME, lba, blocks);
                            case 8 -> fx.group.writeSame(VOLUME, lba, blocks, pattern(1, writer * 1000 + i));
                            default -> fx.group.write(VOLUME, lba, pattern(blocks, writer * 1000 + i), false);
                        };
                        done.get(TIMEOUT_S, TimeUnit.SECONDS);
                    }
                    return null;
                }));
            }
            tasks.add(pool.submit(() -> {
                for (int i = 0; i < 60; i++) {
                    fx.group.syncChunk(VOLUME, 0, REGION).get(TIMEOUT_S, TimeUnit.SECONDS);
                }
                return null;
            }));
            for (Future<?> task : tasks) {
                task.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
        }

        byte[] model = new byte[REGION * BLOCK];
        int snapshots = 0;
        int nonTrivial = 0;
        try (JournalReader reader = fx.group.newReader()) {
            while (reader.next() == JournalReader.Step.RECORD) {
                JournalRecord r = reader.record().checkPayloadFor(BLOCK);
                int from = (int) r.lba() * BLOCK;
                int length = (int) r.blockCount() * BLOCK;
                switch (r.type()) {
                    case WRITE -> r.payload().get(model, from, length);
                    case UNMAP -> java.util.Arrays.fill(model, from, from + length, (byte) 0);
                    case WRITE_SAME -> {
                        for (int b = 0; b < r.blockCount(); b++) {
                            r.payload().get(model, from + b * BLOCK, BLOCK);
                        }
                    }
                    case SNAPSHOT -> {
                        ByteBuffer content = (r.flags() & JournalRecordDescriptor.FLAG_ZERO) != 0
                                ? ByteBuffer.allocate(length) : r.payload();
                        assertThat(content).as("snapshot seq %d", r.sequence())
                                .isEqualTo(ByteBuffer.wrap(model, from, length));
                        snapshots++;
                        if (r.payloadLength() > 0) {
                            nonTrivial++;
                        }
                    }
                    default -> throw new AssertionError("unexpected " + r);
                }
            }
        }
        assertThat(snapshots).isEqualTo(60);
        assertThat(nonTrivial).isPositive();
        assertThat(fx.read(0, REGION)).isEqualTo(ByteBuffer.wrap(model));
    }
}
