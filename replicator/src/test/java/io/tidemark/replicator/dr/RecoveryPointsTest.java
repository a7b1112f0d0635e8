package io.tidemark.replicator.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.replicator.seal.Compression;
import io.tidemark.replicator.seal.SealedRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryPointsTest {

    private static final long START_MILLIS = 1_790_000_000_000L;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private DrHistory history;
    private RecordStream s;

    @AfterEach
    void close() throws IOException {
        if (history != null) {
            history.close();
        }
    }

    private DrHistory open() throws IOException {
        s = new RecordStream(new TestClock(START_MILLIS), 21, Compression.NONE, 32 * 1024);
        history = DrHistory.open(dir, s.desc, s.key, new DrSettings(Duration.ofHours(1), 0, Duration.ofSeconds(1)),
                registry, new DrHistory.Options(s.clock, BlockIndexDescriptor.GRAIN_BYTES, 1 << 20, false));
        return history;
    }

    private static Instant at(long millisAfterStart) {
        return Instant.ofEpochMilli(START_MILLIS + millisAfterStart);
    }

    @Test
    void shouldRefuseEveryPointBeforeTheInitialSyncCompletes() throws IOException {
        DrHistory h = open();
        assertThatThrownBy(() -> h.resolveTime(at(0))).hasMessageContaining("no recovery point yet");
        assertThat(h.status().sync()).isEqualTo(HistoryStatus.SyncState.WAITING);
        List<SealedRecord> sync = s.fullSync(8);
        for (SealedRecord r : sync.subList(0, sync.size() - 1)) {
            h.append(r);
            s.clock.advance(Duration.ofMillis(300));
        }
        h.sync();
        HistoryStatus status = h.status();
        assertThat(status.sync()).isEqualTo(HistoryStatus.SyncState.SYNCING);
        assertThat(status.syncTotalBytes()).isEqualTo(32 * 1024);
        assertThat(status.syncDoneBytes()).isEqualTo(32 * 1024);
        assertThat(h.points(null, null)).isEmpty();
        assertThatThrownBy(() -> h.openView(h.durableSequence())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("before the initial sync");
        h.append(sync.get(sync.size() - 1));
        long complete = h.sync();
        assertThat(h.status().sync()).isEqualTo(HistoryStatus.SyncState.COMPLETE);
        assertThat(h.initialSyncComplete()).isTrue();
        h.checkSequence(complete);
        assertThat(h.status().oldestSequence()).isEqualTo(complete);
        assertThatThrownBy(() -> h.checkSequence(complete - 1)).hasMessageContaining("before the initial sync");
    }

    @Test
    void shouldMarkOneAutomaticPointPerIntervalAndNamedCheckpoints() throws IOException {
        DrHistory h = open();
        for (SealedRecord r : s.fullSync(64)) {
            h.append(r);
        }
        long synced = h.sync();
        // 4 records per second for 5 seconds, a named checkpoint in the middle
        long checkpointSeq = 0;
        for (int i = 0; i < 20; i++) {
            s.clock.advance(Duration.ofMillis(250));
            if (i == 9) {
                h.append(s.checkpoint("after-quiesce"));
                checkpointSeq = s.sequence();
            } else {
                h.append(s.write(1, i, 1));
            }
        }
        long newest = h.sync();
        List<RecoveryPoint> points = h.points(null, null);
        List<RecoveryPoint> named = points.stream().filter(RecoveryPoint::named).toList();
        assertThat(named).extracting(RecoveryPoint::name).containsExactly("after-quiesce");
        assertThat(named.get(0).sequence()).isEqualTo(checkpointSeq);
        List<RecoveryPoint> auto = points.stream().filter(p -> !p.named()).toList();
        // the sync ran in second 0; then seconds 1..5 start: one point at the last record of each second left
        assertThat(auto).hasSize(5);
        for (RecoveryPoint p : auto) {
            assertThat(p.sequence()).isBetween(synced, newest);
        }
        for (int i = 1; i < auto.size(); i++) {
            assertThat(auto.get(i).time()).isAfter(auto.get(i - 1).time());
            assertThat(auto.get(i).time().toEpochMilli() / 1000).isGreaterThan(auto.get(i - 1).time().toEpochMilli() / 1000);
        }
        // from/to bound by time, inclusive
        RecoveryPoint second = auto.get(1);
        assertThat(h.points(second.time(), second.time())).containsExactly(second);
        assertThat(h.points(at(100_000), null)).isEmpty();

        assertThat(h.resolveCheckpoint("after-quiesce")).isEqualTo(checkpointSeq);
        assertThatThrownBy(() -> h.resolveCheckpoint("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown checkpoint").hasMessageContaining("nope");

        assertThat(h.resolveTime(second.time())).isEqualTo(second.sequence());
        assertThat(h.resolveTime(second.time().plusMillis(1))).isGreaterThanOrEqualTo(second.sequence());
        assertThat(h.resolveTime(at(1_000_000))).isEqualTo(newest);
        assertThatThrownBy(() -> h.resolveTime(at(-1000))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("before the window");
        assertThatThrownBy(() -> h.checkSequence(newest + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after the newest");
        try (PitView view = h.openView(checkpointSeq)) {
            assertThat(view.time()).isEqualTo(named.get(0).time());
            assertThat(view.blockSize()).isEqualTo(RecordStream.BLOCK);
            assertThat(view.blockCount(1)).isEqualTo(64);
            assertThat(h.status().pinnedViews()).isEqualTo(1);
        }
        assertThat(h.status().pinnedViews()).isZero();
    }

    @Test
    void shouldKeepPointsAndCheckpointsAcrossReopen() throws IOException {
        DrHistory h = open();
        for (SealedRecord r : s.fullSync(64)) {
            h.append(r);
        }
        for (int i = 0; i < 12; i++) {
            s.clock.advance(Duration.ofMillis(400));
            h.append(i == 5 ? s.checkpoint("cp") : s.write(1, i, 2));
        }
        h.sync();
        List<RecoveryPoint> before = h.points(null, null);
        long cp = h.resolveCheckpoint("cp");
        h.close();
        history = DrHistory.open(dir, s.desc, s.key, new DrSettings(Duration.ofHours(1), 0, Duration.ofSeconds(1)),
                registry, new DrHistory.Options(s.clock, BlockIndexDescriptor.GRAIN_BYTES, 1 << 20, false));
        assertThat(history.points(null, null)).isEqualTo(before);
        assertThat(history.resolveCheckpoint("cp")).isEqualTo(cp);
    }
}
