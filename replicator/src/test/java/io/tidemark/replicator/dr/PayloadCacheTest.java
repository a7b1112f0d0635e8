package io.tidemark.replicator.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PayloadCacheTest {

    private static final int PAYLOAD = 4096;

    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final AtomicInteger loads = new AtomicInteger();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A payload whose bytes name its journal index. */
    private ByteBuffer payloadOf(long journalIndex) {
        loads.incrementAndGet();
        ByteBuffer b = ByteBuffer.allocate(PAYLOAD);
        for (int i = 0; i < PAYLOAD; i += 8) {
            b.putLong(i, journalIndex);
        }
        return b;
    }

    @Test
    void shouldKeepAPayloadUsedTwiceThroughASequentialScanLargerThanTheCache() throws IOException {
        PayloadCache cache = new PayloadCache(64 * PAYLOAD, (index, position) -> payloadOf(index));
        cache.get(1, 0);
        cache.get(1, 0); // used again: protected
        for (long i = 100; i < 400; i++) { // a scan of 300 records read once: 4.7x the capacity
            assertThat(cache.get(i, 0).getLong(0)).isEqualTo(i);
        }
        int before = loads.get();
        assertThat(cache.get(1, 0).getLong(PAYLOAD - 8)).isEqualTo(1);
        assertThat(loads.get()).as("a scan must not flush a payload used twice").isEqualTo(before);
        assertThat(cache.bytes()).isLessThanOrEqualTo(64 * PAYLOAD);
    }

    @Test
    void shouldKeepTheRecentPartOfAScanForReadsThatComeBackSoon() throws IOException {
        PayloadCache cache = new PayloadCache(64 * PAYLOAD, (index, position) -> payloadOf(index));
        for (long i = 0; i < 300; i++) {
            cache.get(i, 0);
        }
        int before = loads.get();
        cache.get(299, 0);
        cache.get(298, 0);
        assertThat(loads.get()).isEqualTo(before);
        cache.get(0, 0); // long gone
        assertThat(loads.get()).isEqualTo(before + 1);
        assertThat(cache.hits()).isEqualTo(2);
        assertThat(cache.misses()).isEqualTo(301);
    }

    @Test
    void shouldCacheAWorkingSetReReadAtADistanceLargerThanProbationButWithinTheCapacity() throws IOException {
        PayloadCache cache = new PayloadCache(64 * PAYLOAD, (index, position) -> payloadOf(index));
        for (int pass = 0; pass < 2; pass++) { // 32 payloads: 4x probation, half the capacity
            for (long i = 0; i < 32; i++) {
                cache.get(i, 0);
            }
        }
        int before = loads.get();
        for (long i = 0; i < 32; i++) {
            assertThat(cache.get(i, 0).getLong(0)).isEqualTo(i);
        }
        assertThat(loads.get()).as("the third pass comes from the cache").isEqualTo(before);
        assertThat(cache.bytes()).isLessThanOrEqualTo(64 * PAYLOAD);
    }

    @Test
    void shouldMoveWhatTheProtectedSegmentPushesOutBackToProbation() throws IOException {
        int capacity = 16 * PAYLOAD; // probation 2 payloads, protected 14
        PayloadCache cache = new PayloadCache(capacity, (index, position) -> payloadOf(index));
        for (long i = 0; i < 15; i++) { // 15 payloads used twice: one too many for the protected segment
            cache.get(i, 0);
            cache.get(i, 0);
        }
        int before = loads.get();
        cache.get(0, 0); // the least recently used one, now on probation, still there
        assertThat(loads.get()).isEqualTo(before);
        assertThat(cache.bytes()).isLessThanOrEqualTo(capacity);
    }

    @Test
    void shouldOpenARecordOnceForReadersThatMissItAtTheSameTime() throws Exception {
        CountDownLatch opening = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PayloadCache cache = new PayloadCache(64 * PAYLOAD, (index, position) -> {
            opening.countDown();
            await(release);
            return payloadOf(index);
        });
        Future<ByteBuffer> first = pool.submit(() -> cache.get(7, 0));
        assertThat(opening.await(10, TimeUnit.SECONDS)).isTrue();
        Future<ByteBuffer> second = pool.submit(() -> cache.get(7, 0));
        Future<ByteBuffer> third = pool.submit(() -> cache.get(7, 0));
        awaitWaiting(cache, 2);
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).getLong(0)).isEqualTo(7);
        assertThat(second.get(10, TimeUnit.SECONDS).getLong(8)).isEqualTo(7);
        assertThat(third.get(10, TimeUnit.SECONDS).getLong(16)).isEqualTo(7);
        assertThat(loads.get()).isEqualTo(1);
        assertThat(cache.misses()).isEqualTo(1);
        assertThat(cache.shared()).isEqualTo(2);
    }

    @Test
    void shouldHandAnOpeningFailureToEveryWaiterAndNotRememberIt() throws Exception {
        CountDownLatch opening = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        PayloadCache cache = new PayloadCache(64 * PAYLOAD, (index, position) -> {
            if (attempts.incrementAndGet() == 1) {
                opening.countDown();
                await(release);
                throw new IOException("record at DR journal index " + index + " does not open: tag");
            }
            return payloadOf(index);
        });
        Future<ByteBuffer> first = pool.submit(() -> cache.get(9, 0));
        assertThat(opening.await(10, TimeUnit.SECONDS)).isTrue();
        Future<ByteBuffer> second = pool.submit(() -> cache.get(9, 0));
        awaitWaiting(cache, 1);
        release.countDown();
        assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("does not open");
        assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("does not open");
        assertThat(attempts.get()).isEqualTo(1);
        // nothing cached of the failure: the next read opens again
        assertThat(cache.get(9, 0).getLong(0)).isEqualTo(9);
        assertThat(attempts.get()).isEqualTo(2);
    }

    @Test
    void shouldHandOutReadOnlyViewsThatDoNotShareAPosition() throws IOException {
        PayloadCache cache = new PayloadCache(64 * PAYLOAD, (index, position) -> payloadOf(index));
        ByteBuffer a = cache.get(3, 0);
        a.position(100);
        ByteBuffer b = cache.get(3, 0);
        assertThat(b.position()).isZero();
        assertThat(b.isReadOnly()).isTrue();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Spins (no sleep) until {@code n} readers wait for another's opening. */
    private static void awaitWaiting(PayloadCache cache, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cache.waiting() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("readers waiting: " + cache.waiting() + " (expected: " + n + ")");
            }
            Thread.onSpinWait();
        }
    }
}
