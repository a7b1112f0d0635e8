package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.BLOCK;
import static io.tidemark.journal.GroupFixture.VOLUME;
import static io.tidemark.journal.GroupFixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In-process crashes: the group is dropped without close, then reopened on the same files. */
class CrashRecoveryTest {

    private static final long TIMEOUT_S = 30;

    @TempDir
    Path dir;

    private GroupFixture fx;

    @BeforeEach
    void open() throws Exception {
        fx = new GroupFixture(dir, 2048).open();
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    @Test
    void reopenAfterCrashReplaysTheTailPastTheCheckpointIntoAFreshStore() throws Exception {
        for (int i = 0; i < 30; i++) {
            fx.group.write(VOLUME, i * 3, pattern(2, i), i % 5 == 0).get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        fx.crash();
        // the store lost everything (as after a host crash before any store flush); the journal must restore it
        Files.delete(dir.resolve("v.img"));
        io.tidemark.journal.store.FileStore.create(dir.resolve("v.img"), 2048L * BLOCK,
                io.tidemark.journal.store.StoreOptions.DEFAULTS).close();

        fx.open();

        assertThat(fx.group.appendedSequence()).isEqualTo(30);
        for (int i = 0; i < 30; i++) {
            assertThat(fx.read(i * 3, 2)).as("write %d", i).isEqualTo(pattern(2, i));
        }
        assertThat(fx.group.write(VOLUME, 0, pattern(1, 99), false).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(31);
    }

    @Test
    void replayingTheWholeJournalAgainChangesNothing() throws Exception {
        fx.group.write(VOLUME, 0, pattern(8, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.group.unmap(VOLUME, 2, 3).get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.group.writeSame(VOLUME, 4, 4, pattern(1, 5)).get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.group.write(VOLUME, 3, pattern(1, 6), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        ByteBuffer before = fx.read(0, 8);
        fx.crash();
        Files.delete(fx.config.directory().resolve(Checkpoint.FILE_NAME));

        fx.open();

        assertThat(fx.read(0, 8)).isEqualTo(before);
    }

    @Test
    void replayKeepsTheOutcomeOfACompareAndWriteEvenWhenTheStoreRanAhead() throws Exception {
        // X = A, Y = D; CAW(X..Y: AA -> BB) misses; then Y = A. A replay that compared again would now match.
        ByteBuffer a = pattern(1, 1);
        ByteBuffer d = pattern(1, 2);
        fx.group.write(VOLUME, 10, ByteBuffer.allocate(2 * BLOCK).put(a.duplicate()).put(d.duplicate()).flip(), false)
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        long miss = fx.group.compareAndWrite(VOLUME, 10,
                ByteBuffer.allocate(2 * BLOCK).put(a.duplicate()).put(a.duplicate()).flip(), pattern(2, 3))
                .get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.group.write(VOLUME, 11, a.duplicate(), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(miss).isEqualTo(BLOCK + a.mismatch(d));
        fx.crash();
        Files.delete(fx.config.directory().resolve(Checkpoint.FILE_NAME));

        fx.open();

        assertThat(fx.read(10, 1)).isEqualTo(a);
        assertThat(fx.read(11, 1)).isEqualTo(a);
    }

    @Test
    void offlineReplayOfTheJournalEqualsTheRecoveredStore() throws Exception {
        for (int i = 0; i < 40; i++) {
            fx.group.write(VOLUME, (i * 7) % 100, pattern(1 + i % 4, i), i % 3 == 0).get(TIMEOUT_S, TimeUnit.SECONDS);
            if (i % 9 == 0) {
                fx.group.unmap(VOLUME, i, 2).get(TIMEOUT_S, TimeUnit.SECONDS);
            }
        }
        fx.crash();
        fx.open();
        ByteBuffer recovered = fx.read(0, 128);
        fx.close();

        MemoryDevice fresh = new MemoryDevice(BLOCK, 2048);
        OfflineReplay.Result result = OfflineReplay.replayAll(fx.config.directory(), fx.config.rollPeriod(),
                java.util.List.of(new GroupVolume(VOLUME, "v", fresh)));

        assertThat(result.records()).isEqualTo(45);
        assertThat(result.invalid()).isZero();
        assertThat(fresh.copy(0, 128)).isEqualTo(recovered);
    }

    @Test
    void checkpointBoundsReplayToTheRecordsAfterIt() throws Exception {
        for (int i = 0; i < 10; i++) {
            fx.group.write(VOLUME, i, pattern(1, i), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        fx.group.checkpointNow();
        assertThat(fx.group.checkpoint().sequence()).isEqualTo(10);
        assertThat(fx.group.durableSequence()).as("journal durable before the checkpoint claims it").isEqualTo(10);
        fx.group.write(VOLUME, 100, pattern(1, 100), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.crash();

        fx.open();

        assertThat(fx.registry.get("tidemark.journal.sequence").tag("state", "checkpointed").gauge().value())
                .isEqualTo(11);
        assertThat(fx.read(100, 1)).isEqualTo(pattern(1, 100));
    }
}
