package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.VOLUME;
import static io.tidemark.journal.GroupFixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FUA writes, flushes and write-through writes complete only after the journal's fdatasync. */
class DurabilityTest {

    private static final long TIMEOUT_S = 30;

    @TempDir
    Path dir;

    private GroupFixture fx;
    private final GatedSync gate = new GatedSync();

    @AfterEach
    void close() throws Exception {
        gate.open();
        fx.close();
    }

    private void open(GroupConfig config) throws Exception {
        fx = new GroupFixture(dir, 1024);
        fx.config = config.withDirectoryOf(fx.config);
        fx.open(gate);
    }

    @Test
    void fuaWriteCompletesOnlyAfterTheJournalSyncCoveringIt() throws Exception {
        open(GroupConfig.defaults("g", 1, dir).withSyncInterval(Duration.ZERO));

        CompletableFuture<Long> fua = fx.group.write(VOLUME, 1, pattern(1, 1), true);

        long seq = gate.awaitSyncRequest();
        assertThat(seq).isEqualTo(1);
        assertThat(fx.read(1, 1)).as("applied while the sync is held").isEqualTo(pattern(1, 1));
        assertThat(fua).isNotDone();
        gate.open();
        assertThat(fua.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(gate.synced.get()).isGreaterThanOrEqualTo(1);
        assertThat(fx.group.durableSequence()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void writeWithoutFuaCompletesWithoutAnySync() throws Exception {
        open(GroupConfig.defaults("g", 1, dir).withSyncInterval(Duration.ZERO));

        long seq = fx.group.write(VOLUME, 1, pattern(1, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);

        assertThat(seq).isEqualTo(1);
        assertThat(gate.requested.get()).isZero();
        assertThat(fx.group.durableSequence()).isZero();
    }

    @Test
    void flushCompletesOnlyAfterASyncCoveringEveryEarlierWrite() throws Exception {
        open(GroupConfig.defaults("g", 1, dir).withSyncInterval(Duration.ZERO));
        for (int i = 0; i < 20; i++) {
            fx.group.write(VOLUME, i, pattern(1, i), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        }

        CompletableFuture<Long> flush = fx.group.flush();

        assertThat(gate.awaitSyncRequest()).isEqualTo(20);
        assertThat(flush).isNotDone();
        gate.open();
        assertThat(flush.get(TIMEOUT_S, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(20);
    }

    @Test
    void writeThroughMakesEveryWriteWaitForTheSync() throws Exception {
        open(GroupConfig.defaults("g", 1, dir).withSyncInterval(Duration.ZERO)
                .withDurability(DurabilityMode.WRITE_THROUGH));

        CompletableFuture<Long> write = fx.group.write(VOLUME, 3, pattern(1, 3), false);

        gate.awaitSyncRequest();
        assertThat(write).isNotDone();
        gate.open();
        assertThat(write.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void syncIntervalMakesPlainWritesDurableWithoutAFlush() throws Exception {
        open(GroupConfig.defaults("g", 1, dir).withSyncInterval(Duration.ofMillis(50)));
        gate.open();

        fx.group.write(VOLUME, 3, pattern(1, 3), false).get(TIMEOUT_S, TimeUnit.SECONDS);

        gate.awaitSynced(1);
        assertThat(fx.group.durableSequence()).isEqualTo(1);
    }

    @Test
    void oneSyncCoversManyFuaWritesQueuedBehindIt() throws Exception {
        open(GroupConfig.defaults("g", 1, dir).withSyncInterval(Duration.ZERO));
        CompletableFuture<Long> first = fx.group.write(VOLUME, 0, pattern(1, 0), true);
        gate.awaitSyncRequest();
        CompletableFuture<?>[] more = new CompletableFuture<?>[50];
        for (int i = 0; i < more.length; i++) {
            more[i] = fx.group.write(VOLUME, i + 1, pattern(1, i), true);
        }

        gate.open();
        CompletableFuture.allOf(more).get(TIMEOUT_S, TimeUnit.SECONDS);
        first.get(TIMEOUT_S, TimeUnit.SECONDS);

        // the first sync covers seq 1; the 50 behind it need far fewer than 50 more
        assertThat(gate.synced.get()).isLessThan(more.length);
    }

    /** Blocks every sync until opened; counts requests and completed syncs. */
    static final class GatedSync implements SyncHook {
        final CountDownLatch opened = new CountDownLatch(1);
        final AtomicLong requested = new AtomicLong();
        final AtomicLong synced = new AtomicLong();
        private final java.util.concurrent.BlockingQueue<Long> requests = new java.util.concurrent.LinkedBlockingQueue<>();

        @Override
        public void beforeSync(long sequence) throws InterruptedException {
            requested.incrementAndGet();
            requests.add(sequence);
            opened.await();
        }

        @Override
        public void afterSync(long sequence) {
            synced.incrementAndGet();
            synchronized (this) {
                notifyAll();
            }
        }

        void open() {
            opened.countDown();
        }

        long awaitSyncRequest() throws InterruptedException {
            Long seq = requests.poll(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(seq).as("a sync request").isNotNull();
            return seq;
        }

        synchronized void awaitSynced(long count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (synced.get() < count && System.nanoTime() < deadline) {
                wait(100);
            }
            assertThat(synced.get()).isGreaterThanOrEqualTo(count);
        }
    }
}
