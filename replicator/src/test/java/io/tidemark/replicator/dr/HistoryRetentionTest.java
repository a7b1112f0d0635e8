package io.tidemark.replicator.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.replicator.seal.Compression;
import io.tidemark.replicator.seal.SealedRecord;
import io.tidemark.replicator.ship.VolumeDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryRetentionTest {

    private static final long START_MILLIS = 1_790_000_000_000L;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private DrHistory history;

    @AfterEach
    void close() throws IOException {
        if (history != null) {
            history.close();
        }
    }

    private RecordStream stream(long seed) {
        return new RecordStream(new TestClock(START_MILLIS), seed, Compression.NONE, 64 * 1024, 32 * 1024);
    }

    private DrHistory open(RecordStream s, DrSettings settings) throws IOException {
        // one-second journal cycles whatever the window, so that trimming shows within seconds of stream time
        history = DrHistory.open(dir, s.desc, s.key, settings, registry,
                new DrHistory.Options(s.clock, BlockIndexDescriptor.GRAIN_BYTES, 256 << 10, false, Duration.ofSeconds(1)));
        return history;
    }

    private static void append(DrHistory h, RecordStream s, int n, Duration step) throws IOException {
        for (int i = 0; i < n; i++) {
            h.append(s.randomOp());
            s.clock.advance(step);
            if (i % 5 == 4) {
                h.sync();
            }
        }
        h.sync();
    }

    private static void assertEqualsModel(PitView view, RecordStream s) throws IOException {
        Map<Integer, byte[]> model = s.modelAt(view.sequence());
        for (VolumeDescriptor v : s.desc.volumes()) {
            ByteBuffer all = ByteBuffer.allocate((int) v.sizeBytes());
            view.read(v.volumeId(), 0, all);
            assertThat(all.array()).as("volume %d at seq %d", v.volumeId(), view.sequence())
                    .isEqualTo(model.get(v.volumeId()));
        }
    }

    @Test
    void shouldAdvanceTheBaseByAgeButNeverPastAPinnedViewWhichStaysExact() throws Exception {
        RecordStream s = stream(11);
        DrHistory h = open(s, new DrSettings(Duration.ofSeconds(10), 0, Duration.ofSeconds(1)));
        for (SealedRecord r : s.fullSync(16)) {
            h.append(r);
        }
        h.sync();
        append(h, s, 100, Duration.ofMillis(100)); // 10 s of stream
        long pinnedAt = h.durableSequence() - 40;
        PitView pinned = h.openView(pinnedAt);
        append(h, s, 200, Duration.ofMillis(100)); // 20 s more: everything before the pin has aged out

        // a reader keeps checking the pinned view while retention applies records to the base
        Map<Integer, byte[]> model = s.modelAt(pinnedAt);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try {
                while (!stop.get() || reads.get() < 3) {
                    for (VolumeDescriptor v : s.desc.volumes()) {
                        ByteBuffer all = ByteBuffer.allocate((int) v.sizeBytes());
                        pinned.read(v.volumeId(), 0, all);
                        assertThat(all.array()).isEqualTo(model.get(v.volumeId()));
                    }
                    reads.incrementAndGet();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        int rounds = h.runRetention();
        stop.set(true);
        reader.get(60, TimeUnit.SECONDS);
        assertThat(rounds).isGreaterThan(0);
        assertThat(h.status().baseSequence()).isEqualTo(pinnedAt);
        assertEqualsModel(pinned, s);
        assertThatThrownBy(() -> h.openView(pinnedAt - 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("before the window");

        pinned.close();
        h.runRetention();
        long base = h.status().baseSequence();
        assertThat(base).isGreaterThan(pinnedAt);
        // the window is the last 10 s of stream time: the base lies about 10 s behind the newest
        assertThat(h.durableSequence() - base).isBetween(90L, 110L);
        try (PitView oldest = h.openView(base); PitView newest = h.openView(h.durableSequence())) {
            assertEqualsModel(oldest, s);
            assertEqualsModel(newest, s);
        }
        assertThat(h.status().oldestSequence()).isEqualTo(base);
    }

    @Test
    void shouldApplyTheOldestRecordsWhileTheJournalIsOverItsSizeCapAndTrimItsFiles() throws Exception {
        RecordStream s = stream(12);
        DrSettings settings = new DrSettings(Duration.ofHours(1), 64 * 1024, Duration.ofSeconds(1));
        DrHistory h = open(s, settings);
        for (SealedRecord r : s.fullSync(16)) {
            h.append(r);
        }
        h.sync();
        append(h, s, 400, Duration.ofMillis(50)); // 20 s: 1-second journal cycles would roll, but retention is 1 h
        long before = h.journal().usedBytes();
        assertThat(before).isGreaterThan(64 * 1024);
        h.runRetention();
        assertThat(h.status().baseSequence()).isGreaterThan(0);
        // whole cycles go only once every record in them is applied: the rest stays within cap + one cycle
        assertThat(h.journal().usedBytes()).isLessThan(before);
        try (PitView oldest = h.openView(h.status().oldestSequence());
             PitView newest = h.openView(h.durableSequence())) {
            assertEqualsModel(oldest, s);
            assertEqualsModel(newest, s);
        }
        // reopen after retention: base and window survive
        long base = h.status().baseSequence();
        long durable = h.durableSequence();
        h.close();
        history = null;
        DrHistory again = open(s, settings);
        assertThat(again.status().baseSequence()).isEqualTo(base);
        assertThat(again.durableSequence()).isEqualTo(durable);
        try (PitView oldest = again.openView(base)) {
            assertEqualsModel(oldest, s);
        }
    }

    @Test
    void shouldFinishARetentionRoundThatACrashInterrupted() throws Exception {
        RecordStream s = stream(13);
        DrSettings settings = new DrSettings(Duration.ofSeconds(5), 0, Duration.ofSeconds(1));
        DrHistory h = open(s, settings);
        for (SealedRecord r : s.fullSync(16)) {
            h.append(r);
        }
        h.sync();
        append(h, s, 100, Duration.ofMillis(100));
        long durable = h.durableSequence();
        // the round noted its target, then the process died before it touched the base
        long target = durable - 30;
        new BaseState(h.baseState().sequence(), h.baseState().timestampMicros(), target).store(dir);
        h.abandon();
        history = null;
        DrHistory again = open(s, settings);
        assertThat(again.status().baseSequence()).isEqualTo(target);
        assertThat(again.durableSequence()).isEqualTo(durable);
        try (PitView oldest = again.openView(target); PitView newest = again.openView(durable)) {
            assertEqualsModel(oldest, s);
            assertEqualsModel(newest, s);
        }
    }

    @Test
    void shouldKeepEverythingWhileNothingHasAgedOut() throws Exception {
        RecordStream s = stream(14);
        DrHistory h = open(s, new DrSettings(Duration.ofMinutes(10), 0, Duration.ofSeconds(1)));
        List<SealedRecord> sync = s.fullSync(16);
        for (SealedRecord r : sync) {
            h.append(r);
        }
        h.sync();
        append(h, s, 50, Duration.ofMillis(100));
        assertThat(h.runRetention()).isZero();
        assertThat(h.status().baseSequence()).isZero();
        assertThat(h.status().oldestSequence()).isEqualTo(sync.get(sync.size() - 1).sequence());
    }
}
