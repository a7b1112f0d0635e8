package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.VOLUME;
import static io.tidemark.journal.GroupFixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a peer gate, commands and flushes complete only once the peer acknowledged them. */
class PeerGateTest {

    private static final long TIMEOUT_S = 30;

    @TempDir
    Path dir;

    private GroupFixture fx;
    private final ManualGate gate = new ManualGate();

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    @Test
    void writeCompletesOnlyOnceThePeerAcknowledgedIt() throws Exception {
        fx = new GroupFixture(dir, 256).open();
        fx.group.setPeerGate(gate);

        CompletableFuture<Long> write = fx.group.write(VOLUME, 1, pattern(1, 1), false);

        assertThat(gate.asked.poll(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(write).as("journaled and applied, not yet acknowledged").isNotDone();
        assertThat(fx.group.appendedSequence()).isEqualTo(1);
        gate.acknowledge(1);
        assertThat(write.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void everyCommandTypeWaitsForTheGate() throws Exception {
        fx = new GroupFixture(dir, 256).open();
        fx.group.write(VOLUME, 1, pattern(2, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.group.setPeerGate(gate);

        CompletableFuture<Long> unmap = fx.group.unmap(VOLUME, 10, 2);
        CompletableFuture<Long> same = fx.group.writeSame(VOLUME, 20, 4, pattern(1, 2));
        CompletableFuture<Long> caw = fx.group.compareAndWrite(VOLUME, 1, pattern(2, 1), pattern(2, 3));
        CompletableFuture<Long> fua = fx.group.write(VOLUME, 30, pattern(1, 4), true);
        for (long seq = 2; seq <= 5; seq++) {
            assertThat(gate.asked.poll(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(seq);
        }
        assertThat(fx.group.flush().isDone()).isFalse();

        assertThat(CompletableFuture.anyOf(unmap, same, caw, fua)).isNotDone();
        gate.acknowledge(5);
        assertThat(unmap.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(same.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(caw.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(fua.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(5);
    }

    @Test
    void flushWaitsForThePeerEvenOnceTheJournalIsDurable() throws Exception {
        CountDownLatch synced = new CountDownLatch(1);
        fx = new GroupFixture(dir, 256).open(new SyncHook() {
            @Override
            public void afterSync(long sequence) {
                if (sequence >= 1) {
                    synced.countDown();
                }
            }
        });
        fx.group.setPeerGate(gate);
        CompletableFuture<Long> write = fx.group.write(VOLUME, 1, pattern(1, 1), false);
        assertThat(gate.asked.poll(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(1L);

        CompletableFuture<Long> flush = fx.group.flush();

        assertThat(synced.await(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(fx.group.durableSequence()).isEqualTo(1);
        assertThat(flush).isNotDone();
        gate.acknowledge(1);
        assertThat(flush.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(write.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void failedAcknowledgementFailsTheCommandWithItsCause() throws Exception {
        fx = new GroupFixture(dir, 256).open();
        fx.group.setPeerGate(gate);
        CompletableFuture<Long> write = fx.group.write(VOLUME, 1, pattern(1, 1), false);
        assertThat(gate.asked.poll(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(1L);

        gate.futures.get(1L).completeExceptionally(new IOException("peer dr1 gone at seq 1"));

        assertThat(write).failsWithin(TIMEOUT_S, TimeUnit.SECONDS).withThrowableThat()
                .withMessageContaining("peer dr1 gone at seq 1");
    }

    @Test
    void clearedGateNoLongerHoldsNewCommands() throws Exception {
        fx = new GroupFixture(dir, 256).open();
        fx.group.setPeerGate(gate);
        fx.group.setPeerGate(null);

        assertThat(fx.group.write(VOLUME, 1, pattern(1, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(fx.group.flush().get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(gate.asked).isEmpty();
    }

    @Test
    void syncChunksAndMetadataAreNotHeldByTheGate() throws Exception {
        fx = new GroupFixture(dir, 256).open();
        fx.group.setPeerGate(gate);

        assertThat(fx.group.syncChunk(VOLUME, 0, 8).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(fx.group.appendMetadata("{\"kind\":\"sync-complete\"}".getBytes())
                .get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(fx.group.durableSequence()).as("metadata completes once durable").isGreaterThanOrEqualTo(2);
        assertThat(gate.asked).isEmpty();
    }

    /** A gate the test acknowledges by hand; records what it was asked. */
    private static final class ManualGate implements PeerGate {
        final BlockingQueue<Long> asked = new LinkedBlockingQueue<>();
        final Map<Long, CompletableFuture<Void>> futures = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<Void> whenAcknowledged(long sequence) {
            CompletableFuture<Void> f = futures.computeIfAbsent(sequence, s -> new CompletableFuture<>());
            asked.add(sequence);
            return f;
        }

        void acknowledge(long upTo) {
            futures.forEach((seq, f) -> {
                if (seq <= upTo) {
                    f.complete(null);
                }
            });
        }
    }
}
