package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.BLOCK;
import static io.tidemark.journal.GroupFixture.VOLUME;
import static io.tidemark.journal.GroupFixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.journal.store.BlockDevice;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** METADATA and SNAPSHOT records: journaled in order, never applied by replay, cut off cleanly when torn. */
class ReplicationRecordsRecoveryTest {

    private static final long TIMEOUT_S = 30;
    private static final byte[] METADATA = "{\"kind\":\"checkpoint\",\"name\":\"before-upgrade\"}"
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    /** Seqs: 1 write, 2 snapshot, 3 metadata, 4 write, 5 zero snapshot, 6 metadata. */
    private static void writeMixedJournal(GroupFixture fx) throws Exception {
        fx.group.write(VOLUME, 0, pattern(4, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(fx.group.syncChunk(VOLUME, 0, 8).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(fx.group.appendMetadata(METADATA).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(3);
        fx.group.write(VOLUME, 2, pattern(1, 2), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(fx.group.syncChunk(VOLUME, 100, 8).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(fx.group.appendMetadata(METADATA).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(6);
    }

    @Test
    void metadataRecordIsJournaledDurablyAsGiven() throws Exception {
        try (GroupFixture fx = new GroupFixture(dir, 256).open()) {
            long seq = fx.group.appendMetadata(METADATA).get(TIMEOUT_S, TimeUnit.SECONDS);

            assertThat(fx.group.durableSequence()).isGreaterThanOrEqualTo(seq);
            try (JournalReader reader = fx.group.newReader()) {
                assertThat(reader.next()).isEqualTo(JournalReader.Step.RECORD);
                JournalRecord r = reader.record();
                assertThat(r.type()).isEqualTo(RecordType.METADATA);
                assertThat(r.volumeId()).isZero();
                assertThat(r.lba()).isZero();
                assertThat(r.blockCount()).isZero();
                assertThat(r.payload()).isEqualTo(ByteBuffer.wrap(METADATA));
            }
            assertThat(fx.group.appendMetadata(new byte[ConsistencyGroup.MAX_METADATA_LENGTH + 1]))
                    .failsWithin(TIMEOUT_S, TimeUnit.SECONDS).withThrowableThat()
                    .withMessageContaining(String.valueOf(ConsistencyGroup.MAX_METADATA_LENGTH + 1))
                    .withMessageContaining("0.." + ConsistencyGroup.MAX_METADATA_LENGTH);
        }
    }

    @Test
    void recordsOfTheOriginalTypesKeepFormatVersionOne() throws Exception {
        try (GroupFixture fx = new GroupFixture(dir, 256).open()) {
            writeMixedJournal(fx);
            fx.close();
            List<Integer> versions = new ArrayList<>();
            try (SingleChronicleQueue queue = JournalQueues.open(fx.config.directory(), GroupConfig.DEFAULT_ROLL_PERIOD,
                    Clock.systemUTC()); ExcerptTailer tailer = queue.createTailer()) {
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) {
                            break;
                        }
                        var bytes = dc.wire().bytes();
                        versions.add((int) bytes.readByte(bytes.readPosition() + JournalRecordDescriptor.VERSION_OFFSET));
                    }
                }
            }
            assertThat(versions).containsExactly(1, 2, 1, 1, 2, 1);
        }
    }

    @Test
    void replayAppliesOnlyTheBlockChangingRecords() throws Exception {
        try (GroupFixture fx = new GroupFixture(dir, 256).open()) {
            writeMixedJournal(fx);
            fx.crash();
            Files.delete(fx.config.directory().resolve(Checkpoint.FILE_NAME));
            // a fresh store, as after losing everything not yet flushed
            Files.delete(dir.resolve("v.img"));
            io.tidemark.journal.store.FileStore.create(dir.resolve("v.img"), 256L * BLOCK,
                    io.tidemark.journal.store.StoreOptions.DEFAULTS).close();

            fx.open();

            assertThat(fx.group.appendedSequence()).isEqualTo(6);
            ByteBuffer expected = pattern(4, 1);
            expected.put(2 * BLOCK, pattern(1, 2), 0, BLOCK);
            assertThat(fx.read(0, 4)).isEqualTo(expected);
            assertThat(fx.group.write(VOLUME, 9, pattern(1, 9), false).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(7);
        }
        CountingDevice counted = new CountingDevice(new MemoryDevice(BLOCK, 256));
        VolumeSlot[] volumes = {new VolumeSlot(0, new GroupVolume(VOLUME, "v", counted))};
        GroupConfig config = GroupConfig.defaults("g1", 1, dir.resolve("journal"));
        try (SingleChronicleQueue queue = JournalQueues.open(config.directory(), config.rollPeriod(), Clock.systemUTC());
             JournalMetrics metrics = new JournalMetrics(new SimpleMeterRegistry(), "g1",
                     List.of(new GroupVolume(VOLUME, "v", counted)));
             JournalReader reader = new JournalReader(queue)) {
            JournalReplay.Result result = JournalReplay.run("g1", reader, Checkpoint.EMPTY, volumes, metrics);
            assertThat(result.lastSequence()).isEqualTo(7);
        }
        assertThat(counted.writes.get()).as("the three WRITE records only").isEqualTo(3);
    }

    @Test
    void offlineReplayIgnoresSnapshotsAndMetadata() throws Exception {
        ByteBuffer live;
        try (GroupFixture fx = new GroupFixture(dir, 256).open()) {
            writeMixedJournal(fx);
            live = fx.read(0, 256);
        }
        CountingDevice counted = new CountingDevice(new MemoryDevice(BLOCK, 256));

        OfflineReplay.Result result = OfflineReplay.replayAll(dir.resolve("journal"), GroupConfig.DEFAULT_ROLL_PERIOD,
                List.of(new GroupVolume(VOLUME, "v", counted)));

        assertThat(result.lastSequence()).isEqualTo(6);
        assertThat(result.records()).isEqualTo(6);
        assertThat(result.invalid()).isZero();
        assertThat(counted.writes.get()).isEqualTo(2);
        ByteBuffer replayed = ByteBuffer.allocate(256 * BLOCK);
        counted.read(0, replayed);
        assertThat(replayed.clear()).isEqualTo(live);
    }

    @ParameterizedTest(name = "last record {0}, cut {1} bytes into it")
    @CsvSource({"SNAPSHOT, 0", "SNAPSHOT, 4", "SNAPSHOT, 5", "SNAPSHOT, 68", "SNAPSHOT, 1000", "SNAPSHOT, -1",
        "METADATA, 0", "METADATA, 3", "METADATA, 40", "METADATA, 67", "METADATA, 70", "METADATA, -1"})
    void tornReplicationRecordIsCutOffAndTheGroupAppendsAfterTheRecordBefore(RecordType last, int into)
            throws Exception {
        try (GroupFixture fx = new GroupFixture(dir, 256).open()) {
            fx.group.write(VOLUME, 0, pattern(8, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);
            if (last == RecordType.SNAPSHOT) {
                fx.group.syncChunk(VOLUME, 0, 8).get(TIMEOUT_S, TimeUnit.SECONDS);
            } else {
                fx.group.appendMetadata(METADATA).get(TIMEOUT_S, TimeUnit.SECONDS);
            }
            fx.crash();
            long[] extent = lastDocument(fx.config.directory());
            long end = extent[1] + 4 + extent[2];
            long cut = into < 0 ? end - 1 : extent[1] + into;
            zero(lastFile(fx.config.directory()), cut, end);

            fx.open();

            assertThat(fx.group.appendedSequence()).isEqualTo(1);
            assertThat(fx.read(0, 8)).isEqualTo(pattern(8, 1));
            assertThat(fx.group.appendMetadata(METADATA).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(2);
            List<Long> seqs = new ArrayList<>();
            try (JournalReader reader = fx.group.newReader()) {
                JournalReader.Step step;
                while ((step = reader.next()) != JournalReader.Step.END) {
                    assertThat(step).isEqualTo(JournalReader.Step.RECORD);
                    seqs.add(reader.record().sequence());
                }
            }
            assertThat(seqs).containsExactly(1L, 2L);
        }
    }

    /** {0, header offset, content length} of the last data document of the journal. */
    private static long[] lastDocument(Path journal) {
        long[] last = null;
        try (SingleChronicleQueue queue = JournalQueues.open(journal, GroupConfig.DEFAULT_ROLL_PERIOD, Clock.systemUTC());
             ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return last;
                    }
                    long position = dc.wire().bytes().readPosition();
                    last = new long[] {0, position - 4, dc.wire().bytes().readRemaining()};
                }
            }
        }
    }

    private static File lastFile(Path journal) throws IOException {
        try (var files = Files.list(journal)) {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().reduce((a, b) -> b).orElseThrow().toFile();
        }
    }

    private static void zero(File file, long from, long to) throws IOException {
        if (to <= from) {
            return;
        }
        try (RandomAccessFile f = new RandomAccessFile(file, "rw")) {
            f.seek(from);
            f.write(new byte[(int) (to - from)]);
        }
    }

    /** Counts the writes that reach a store. Thread-safe when the wrapped device is. */
    private static final class CountingDevice implements BlockDevice {
        final AtomicInteger writes = new AtomicInteger();
        private final BlockDevice device;

        CountingDevice(BlockDevice device) {
            this.device = device;
        }

        @Override
        public int blockSize() {
            return device.blockSize();
        }

        @Override
        public long blockCount() {
            return device.blockCount();
        }

        @Override
        public void read(long block, ByteBuffer dst) throws IOException {
            device.read(block, dst);
        }

        @Override
        public void write(long block, ByteBuffer src) throws IOException {
            writes.incrementAndGet();
            device.write(block, src);
        }

        @Override
        public void flush() throws IOException {
            device.flush();
        }

        @Override
        public void unmap(long block, long blocks) throws IOException {
            device.unmap(block, blocks);
        }

        @Override
        public void resize(long newBlockCount) throws IOException {
            device.resize(newBlockCount);
        }

        @Override
        public Extent mappingStatus(long block) throws IOException {
            return device.mappingStatus(block);
        }

        @Override
        public boolean thinProvisioned() {
            return device.thinProvisioned();
        }

        @Override
        public void close() throws IOException {
            device.close();
        }
    }
}
