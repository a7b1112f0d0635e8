package io.tidemark.replicator.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.replicator.seal.Compression;
import io.tidemark.replicator.seal.SealedRecord;
import io.tidemark.replicator.seal.TamperedRecordException;
import io.tidemark.replicator.ship.VolumeDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrHistoryTest {

    private static final long START_MILLIS = 1_790_000_000_000L;

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private DrHistory open(Path at, RecordStream s, DrSettings settings) throws IOException {
        DrHistory h = DrHistory.open(at, s.desc, s.key, settings, registry,
                new DrHistory.Options(s.clock, BlockIndexDescriptor.GRAIN_BYTES, 1 << 20, false));
        open.add(h);
        return h;
    }

    private static DrSettings settings() {
        return new DrSettings(Duration.ofHours(1), 0, Duration.ofSeconds(1));
    }

    private static RecordStream stream(long seed) {
        // 80 KiB and 144 KiB of 512-byte blocks: grains are partly covered by many writes
        return new RecordStream(new TestClock(START_MILLIS), seed, Compression.ZSTD, 80 * 1024,
                144 * 1024);
    }

    private static void appendAll(DrHistory h, List<SealedRecord> records) throws IOException {
        for (SealedRecord r : records) {
            h.append(r);
        }
        h.sync();
    }

    /** Appends {@code n} random operations, a sync every few, the clock moving 100 ms per record. */
    private static void appendRandom(DrHistory h, RecordStream s, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            h.append(s.randomOp());
            s.clock.advance(Duration.ofMillis(100));
            if (s.random().nextInt(8) == 0) {
                h.sync();
            }
        }
        h.sync();
    }

    private static void assertViewEqualsModel(PitView view, RecordStream s) throws IOException {
        Map<Integer, byte[]> model = s.modelAt(view.sequence());
        for (VolumeDescriptor v : s.desc.volumes()) {
            ByteBuffer all = ByteBuffer.allocate((int) v.sizeBytes());
            view.read(v.volumeId(), 0, all);
            assertThat(all.position()).isEqualTo((int) v.sizeBytes());
            assertThat(all.array()).as("volume %d at seq %d", v.volumeId(), view.sequence())
                    .isEqualTo(model.get(v.volumeId()));
        }
    }

    @Test
    void shouldEqualTheModelAtRandomSequencesOfTwoVolumes() throws IOException {
        var s = stream(1);
        DrHistory h = open(dir, s, settings());
        appendAll(h, s.fullSync(16));
        long synced = s.sequence();
        appendRandom(h, s, 400);
        assertThat(h.durableSequence()).isEqualTo(s.sequence());
        for (int i = 0; i < 25; i++) {
            long seq = synced + s.random().nextInt((int) (s.sequence() - synced + 1));
            try (PitView view = h.openView(seq)) {
                assertViewEqualsModel(view, s);
            }
        }
        // small unaligned reads too
        try (PitView view = h.openView(s.sequence())) {
            Map<Integer, byte[]> model = s.modelAt(view.sequence());
            for (int i = 0; i < 200; i++) {
                VolumeDescriptor v = s.desc.volumes().get(i % 2);
                int blocks = 1 + s.random().nextInt(11);
                long lba = s.random().nextInt((int) v.blockCount() - blocks + 1);
                ByteBuffer dst = ByteBuffer.allocateDirect(blocks * RecordStream.BLOCK);
                view.read(v.volumeId(), lba, dst);
                byte[] got = new byte[dst.capacity()];
                dst.flip().get(got);
                byte[] expected = java.util.Arrays.copyOfRange(model.get(v.volumeId()), (int) lba * RecordStream.BLOCK,
                        (int) (lba + blocks) * RecordStream.BLOCK);
                assertThat(got).isEqualTo(expected);
            }
        }
    }

    @Test
    void shouldReadAPinnedViewExactlyWhileRecordsKeepArriving() throws Exception {
        var s = stream(8);
        DrHistory h = open(dir, s, settings());
        appendAll(h, s.fullSync(16));
        appendRandom(h, s, 50);
        PitView view = h.openView(h.durableSequence());
        Map<Integer, byte[]> model = s.modelAt(view.sequence());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CompletableFuture<Integer> reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            int reads = 0;
            try {
                while (!stop.get() || reads < 3) {
                    for (VolumeDescriptor v : s.desc.volumes()) {
                        ByteBuffer all = ByteBuffer.allocate((int) v.sizeBytes());
                        view.read(v.volumeId(), 0, all);
                        assertThat(all.array()).isEqualTo(model.get(v.volumeId()));
                    }
                    reads++;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return reads;
        });
        appendRandom(h, s, 300);
        stop.set(true);
        assertThat(reader.get(60, java.util.concurrent.TimeUnit.SECONDS)).isGreaterThanOrEqualTo(3);
        view.close();
        assertThatThrownBy(() -> view.read(1, 0, ByteBuffer.allocate(512))).isInstanceOf(IllegalStateException.class);
        try (PitView newest = h.openView(h.durableSequence())) {
            assertViewEqualsModel(newest, s);
        }
    }

    @Test
    void shouldRejectATamperedRecordAndStoreNothingOfIt() throws IOException {
        var s = stream(2);
        DrHistory h = open(dir, s, settings());
        appendAll(h, s.fullSync(32));
        SealedRecord good = s.write(1, 3, 5);
        ByteBuffer copy = ByteBuffer.allocate(good.length());
        copy.put(good.bytes()).flip();
        int flip = copy.limit() - 20; // inside the ciphertext
        copy.put(flip, (byte) (copy.get(flip) ^ 0x01));
        long before = h.durableSequence();
        long journalBytes = h.status().journalBytes();
        assertThatThrownBy(() -> h.append(SealedRecord.wrap(copy))).isInstanceOf(TamperedRecordException.class);
        assertThat(h.sync()).isEqualTo(before);
        // the good record still fits right after: nothing of the bad one took its place
        h.append(good);
        assertThat(h.sync()).isEqualTo(before + 1);
        try (PitView view = h.openView(h.durableSequence())) {
            assertViewEqualsModel(view, s);
        }
        assertThat(journalBytes).isGreaterThan(0);
    }

    @Test
    void shouldRejectOutOfOrderAndDuplicateRecordsButAcceptASyncStartAfterAGap() throws IOException {
        var s = stream(3);
        DrHistory h = open(dir, s, settings());
        List<SealedRecord> sync = s.fullSync(64);
        appendAll(h, sync);
        long durable = h.durableSequence();
        SealedRecord next = s.write(1, 0, 1);
        SealedRecord after = s.write(1, 1, 1);
        assertThatThrownBy(() -> h.append(after)).isInstanceOf(IOException.class)
                .hasMessageContaining("seq " + (durable + 2)).hasMessageContaining("expected: " + (durable + 1));
        assertThatThrownBy(() -> h.append(sync.get(sync.size() - 1))).isInstanceOf(IOException.class)
                .hasMessageContaining("out of order");
        h.append(next);
        h.append(after);
        // a link that dropped mid-batch: what was appended is made durable before the primary is told where to resume
        assertThat(h.durableSequence()).isEqualTo(durable + 2);
        assertThat(h.sync()).isEqualTo(durable + 2);
        s.skip(10);
        assertThatThrownBy(() -> h.append(s.write(1, 0, 1))).isInstanceOf(IOException.class);
        // a resync may start after a gap; points inside it are not consistent until it completes
        List<SealedRecord> resync = s.fullSync(64);
        h.append(resync.get(0));
        long resyncStart = h.sync();
        assertThat(h.initialSyncComplete()).isFalse();
        assertThatThrownBy(() -> h.checkSequence(resyncStart)).hasMessageContaining("sync");
        assertThat(h.status().sync()).isEqualTo(HistoryStatus.SyncState.SYNCING);
        appendAll(h, resync.subList(1, resync.size()));
        assertThat(h.initialSyncComplete()).isTrue();
        h.checkSequence(durable + 2); // before the resync: still a consistent point
        try (PitView view = h.openView(h.durableSequence())) {
            assertViewEqualsModel(view, s);
        }
    }

    @Test
    void shouldKeepEverySyncedRecordAfterCloseAndReopen() throws IOException {
        var s = stream(4);
        DrHistory h = open(dir, s, settings());
        appendAll(h, s.fullSync(16));
        appendRandom(h, s, 150);
        long durable = h.durableSequence();
        h.close();
        DrHistory again = open(dir, s, settings());
        assertThat(again.durableSequence()).isEqualTo(durable);
        assertThat(again.initialSyncComplete()).isTrue();
        appendRandom(again, s, 50);
        try (PitView view = again.openView(durable)) {
            assertViewEqualsModel(view, s);
        }
        try (PitView view = again.openView(again.durableSequence())) {
            assertViewEqualsModel(view, s);
        }
    }

    @Test
    void shouldKeepExactlyTheSyncedRecordsAfterACrashThatLosesUnsyncedPages() throws IOException {
        var s = stream(5);
        DrHistory h = open(dir.resolve("live"), s, settings());
        appendAll(h, s.fullSync(16));
        appendRandom(h, s, 120);
        long synced = h.durableSequence();
        // what the disk holds at this moment: everything synced (the index may be anywhere behind)
        copyTree(dir.resolve("live"), dir.resolve("disk"));
        for (int i = 0; i < 30; i++) {
            h.append(s.randomOp());
        }
        long appended = s.sequence();
        h.abandon();
        open.remove(h);

        DrHistory fromDisk = open(dir.resolve("disk"), s, settings());
        assertThat(fromDisk.durableSequence()).isEqualTo(synced);
        try (PitView view = fromDisk.openView(synced)) {
            assertViewEqualsModel(view, s);
        }
        // the process died but the page cache survived: the records are there, valid, and indexed again
        DrHistory afterKill = open(dir.resolve("live"), s, settings());
        assertThat(afterKill.durableSequence()).isEqualTo(appended);
        try (PitView view = afterKill.openView(appended)) {
            assertViewEqualsModel(view, s);
        }
        try (PitView view = afterKill.openView(synced - 7)) {
            assertViewEqualsModel(view, s);
        }
    }

    @Test
    void shouldCutADocumentAKilledProcessLeftHalfWrittenAndAppendAfterTheLastGoodRecord() throws IOException {
        var s = stream(6);
        DrHistory h = open(dir, s, settings());
        appendAll(h, s.fullSync(16));
        appendRandom(h, s, 40);
        long durable = h.durableSequence();
        h.abandon();
        open.remove(h);
        // the killed writer had claimed the next document: header NOT_COMPLETE, part of its bytes written
        int cycle;
        long end;
        java.io.File file;
        try (DrJournal journal = DrJournal.open("g1", dir.resolve("journal"), Duration.ofMinutes(5), s.clock);
             DrJournal.Scanner scanner = journal.scanAfter(-1)) {
            while (scanner.next() != null) {
                // to the last record
            }
            cycle = scanner.cycle();
            end = scanner.endPosition();
            file = journal.fileOf(cycle);
        }
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(file.toPath(),
                java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer torn = ByteBuffer.allocate(4 + 100).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            torn.putInt(0x80000000 | 4000);
            while (torn.hasRemaining()) {
                torn.put((byte) 0x5a);
            }
            c.write(torn.flip(), end);
        }
        DrHistory again = open(dir, s, settings());
        assertThat(again.durableSequence()).isEqualTo(durable);
        appendRandom(again, s, 20);
        long after = again.durableSequence();
        assertThat(after).isEqualTo(durable + 20);
        again.close();
        open.remove(again);
        DrHistory third = open(dir, s, settings());
        assertThat(third.durableSequence()).isEqualTo(after);
        try (PitView view = third.openView(after)) {
            assertViewEqualsModel(view, s);
        }
    }

    @Test
    void shouldExportWindowPinAndRecordMetersPerGroup() throws IOException {
        var s = stream(7);
        DrHistory h = open(dir, s, settings());
        appendAll(h, s.fullSync(16));
        appendRandom(h, s, 10);
        try (PitView view = h.openView(h.durableSequence())) {
            assertThat(registry.get("tidemark.dr.pinned.views").tag("group", "g1").gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("tidemark.dr.records").tag("group", "g1").counter().count())
                    .isEqualTo((double) h.durableSequence());
            assertThat(registry.get("tidemark.dr.window.newest").tag("group", "g1").gauge().value())
                    .isEqualTo(h.status().newestTime().toEpochMilli() / 1000.0);
            assertThat(registry.get("tidemark.dr.window.oldest").tag("group", "g1").gauge().value())
                    .isEqualTo(h.status().oldestTime().toEpochMilli() / 1000.0);
            assertThat(registry.get("tidemark.dr.disk").tag("group", "g1").gauge().value()).isGreaterThan(0);
        }
        assertThat(registry.get("tidemark.dr.pinned.views").tag("group", "g1").gauge().value()).isZero();
        h.close();
        open.remove(h);
        assertThat(registry.find("tidemark.dr.pinned.views").gauges()).isEmpty();
    }

    /** Copies a file leaving its all-zero megabytes as holes (Chronicle maps 256 MiB blocks, mostly unwritten). */
    private static void copySparse(Path from, Path to) throws IOException {
        try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(from);
             java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(to,
                     java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            byte[] zeros = new byte[1 << 20];
            long size = in.size();
            for (long at = 0; at < size; at += chunk.capacity()) {
                chunk.clear();
                while (chunk.hasRemaining() && in.read(chunk, at + chunk.position()) > 0) {
                    // fill the chunk
                }
                chunk.flip();
                if (!java.util.Arrays.equals(chunk.array(), 0, chunk.limit(), zeros, 0, chunk.limit())) {
                    out.write(chunk, at);
                }
            }
            out.truncate(size);
            if (out.size() < size) {
                out.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("LOCK")) {
                    copySparse(p, target);
                }
            }
        }
    }
}
