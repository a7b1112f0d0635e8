package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.BLOCK;
import static io.tidemark.journal.GroupFixture.VOLUME;
import static io.tidemark.journal.GroupFixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.zip.CRC32C;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A crash that tears the last record, on the raw bytes of Chronicle's cycle file. A Chronicle
 * document is a 4-byte header (length plus NOT_COMPLETE / META_DATA bits) followed by its
 * bytes; after a host crash the page cache loses whatever had not reached the disk, so the
 * file reads back as written up to some byte and zeros after it. Cutting at offset k = zeroing
 * [k, end of record): k inside the header leaves no document or a shorter one, k inside our
 * record leaves a document whose CRC (or length field) fails. A writer killed mid-document
 * leaves its header with NOT_COMPLETE set, covered separately.
 */
class TornTailTest {

    private static final long TIMEOUT_S = 30;
    private static final int NOT_COMPLETE = 0x80000000;

    @TempDir
    static Path pristine;

    private static Extent last;
    private static File cycleFile;
    private static SparseImage journalImage;

    @BeforeAll
    static void writeThreeRecordsAndCrash() throws Exception {
        GroupFixture fx = new GroupFixture(pristine, 256).open();
        fx.group.write(VOLUME, 1, pattern(1, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.group.write(VOLUME, 2, pattern(1, 2), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.group.write(VOLUME, 3, pattern(1, 3), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        fx.crash();
        Files.delete(fx.config.directory().resolve(Checkpoint.FILE_NAME));
        List<Extent> docs = documents(fx.config.directory());
        assertThat(docs).hasSize(3);
        last = docs.get(2);
        cycleFile = last.file;
        journalImage = SparseImage.of(fx.config.directory());
    }

    @Test
    void lastRecordIsWhereTheFileSaysItIs() throws Exception {
        ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        try (RandomAccessFile f = new RandomAccessFile(cycleFile, "r")) {
            f.seek(last.headerOffset);
            f.readFully(header.array());
        }
        assertThat(header.getInt(0)).isEqualTo(JournalRecordDescriptor.recordLength(BLOCK));
        assertThat(last.contentLength).isEqualTo(JournalRecordDescriptor.recordLength(BLOCK));
    }

    @Test
    void journalCutAtEveryByteOfItsLastRecordRecoversToTheRecordBefore(@TempDir Path work) throws Exception {
        long end = last.headerOffset + 4 + last.contentLength;
        for (long cut = last.headerOffset; cut <= end; cut++) {
            Path copy = work.resolve("cut-" + cut);
            journalImage.restore(copy);
            zero(copy.resolve(cycleFile.getName()).toFile(), cut, end);
            boolean intact = cut == end;
            MemoryDevice store = new MemoryDevice(BLOCK, 256);
            VolumeSlot[] volumes = {new VolumeSlot(0, new GroupVolume(VOLUME, "v", store))};
            try (SingleChronicleQueue queue = JournalQueues.open(copy, GroupConfig.DEFAULT_ROLL_PERIOD, Clock.systemUTC());
                 JournalMetrics metrics = new JournalMetrics(new SimpleMeterRegistry(), "g", List.of(
                         new GroupVolume(VOLUME, "v", store)))) {
                JournalReplay.Result result;
                try (JournalReader reader = new JournalReader(queue)) {
                    result = JournalReplay.run("g", reader, Checkpoint.EMPTY, volumes, metrics);
                }
                TornTailRepair.repair("g", queue, result.tail());

                assertThat(result.lastSequence()).as("cut at %d", cut).isEqualTo(intact ? 3 : 2);
                assertThat(store.copy(2, 1)).as("cut at %d", cut).isEqualTo(pattern(1, 2));
                assertThat(store.copy(3, 1)).as("cut at %d", cut)
                        .isEqualTo(intact ? pattern(1, 3) : ByteBuffer.allocate(BLOCK));
                appendWrite(queue, result.lastSequence() + 1, 4, pattern(1, 4));
                List<Long> expected = intact ? List.of(1L, 2L, 3L, 4L) : List.of(1L, 2L, 3L);
                assertThat(validSequences(queue)).as("cut at %d", cut).isEqualTo(expected);
            }
            deleteTree(copy);
        }
    }

    @ParameterizedTest(name = "cut {0} bytes into the last record")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 8, 40, 63, 64, 67, 68, 69, 300, 579})
    void groupReopenedOnACutJournalServesTheRecordBeforeAndAppendsAfterIt(int into, @TempDir Path work)
            throws Exception {
        long cut = last.headerOffset + into;
        long end = last.headerOffset + 4 + last.contentLength;
        copyTree(pristine, work);
        zero(work.resolve("journal").resolve(cycleFile.getName()).toFile(), cut, end);
        try (GroupFixture fx = new GroupFixture(work, 256).open()) {
            assertThat(fx.group.appendedSequence()).isEqualTo(2);
            assertThat(fx.read(2, 1)).isEqualTo(pattern(1, 2));
            assertThat(fx.read(3, 1)).isEqualTo(ByteBuffer.allocate(BLOCK));
            assertThat(fx.group.write(VOLUME, 4, pattern(1, 4), false).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(validSequences(fx.group)).isEqualTo(List.of(1L, 2L, 3L));
        }
        try (GroupFixture fx = new GroupFixture(work, 256).open()) {
            assertThat(fx.group.appendedSequence()).as("after a second reopen").isEqualTo(3);
            assertThat(fx.read(4, 1)).isEqualTo(pattern(1, 4));
        }
    }

    @Test
    void recordLeftIncompleteByAKilledWriterIsNeitherAppliedNorInTheWay(@TempDir Path work) throws Exception {
        Path copy = work.resolve("incomplete");
        copyTree(pristine, copy);
        File file = copy.resolve("journal").resolve(cycleFile.getName()).toFile();
        try (RandomAccessFile f = new RandomAccessFile(file, "rw")) {
            ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            f.seek(last.headerOffset);
            f.readFully(header.array());
            header.putInt(0, header.getInt(0) | NOT_COMPLETE);
            f.seek(last.headerOffset);
            f.write(header.array());
        }

        try (GroupFixture fx = new GroupFixture(copy, 256).open()) {
            assertThat(fx.group.appendedSequence()).isEqualTo(2);
            assertThat(fx.read(3, 1)).isEqualTo(ByteBuffer.allocate(BLOCK));
            assertThat(fx.group.write(VOLUME, 4, pattern(1, 4), false).get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(validSequences(fx.group)).containsExactly(1L, 2L, 3L);
        }
    }

    private static List<Long> validSequences(ConsistencyGroup group) {
        try (JournalReader reader = group.newReader()) {
            return validSequences(reader);
        }
    }

    private static List<Long> validSequences(SingleChronicleQueue queue) {
        try (JournalReader reader = new JournalReader(queue)) {
            return validSequences(reader);
        }
    }

    private static List<Long> validSequences(JournalReader reader) {
        List<Long> seqs = new ArrayList<>();
        JournalReader.Step step;
        while ((step = reader.next()) != JournalReader.Step.END) {
            if (step == JournalReader.Step.RECORD) {
                seqs.add(reader.record().sequence());
            }
        }
        return seqs;
    }

    /** Appends a valid WRITE record outside any group, as the group's appender would. */
    private static void appendWrite(SingleChronicleQueue queue, long sequence, long lba, ByteBuffer data) {
        ByteBuffer header = ByteBuffer.allocateDirect(JournalRecordDescriptor.HEADER_LENGTH);
        JournalRecordDescriptor.encodeHeader(header, 0, RecordType.WRITE, 0, data.remaining(), 1, VOLUME, 1, sequence,
                0, lba, data.remaining() / BLOCK);
        JournalRecordDescriptor.putCrc(header, 0, JournalRecordDescriptor.crc(new CRC32C(), header, 0, data));
        try (ExcerptAppender appender = queue.createAppender();
             DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().writeSome(header);
            dc.wire().bytes().writeSome(data.duplicate());
        }
    }

    /** File, header offset and content length of each data document, read through Chronicle. */
    private static List<Extent> documents(Path journal) {
        List<Extent> docs = new ArrayList<>();
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(journal)
                .rollCycle(RollPeriods.forPeriod(GroupConfig.DEFAULT_ROLL_PERIOD)).readOnly(true).build();
             ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return docs;
                    }
                    long position = dc.wire().bytes().readPosition();
                    docs.add(new Extent(tailer.currentFile(), position - 4, (int) dc.wire().bytes().readRemaining()));
                }
            }
        }
    }

    private static void zero(File file, long from, long to) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file, "rw")) {
            f.seek(from);
            f.write(new byte[(int) (to - from)]);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("v.img")) {
                    // the store is left out: a fresh one holds nothing, as after a crash before any store flush
                    copySparse(p, target);
                }
            }
        }
    }

    /** Copies only the non-zero 64 KiB chunks: cycle files are mostly holes, and copying the holes is slow. */
    private static void copySparse(Path from, Path to) throws IOException {
        try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(from);
             java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(to,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long size = in.size();
            for (long at = 0; at < size; at += chunk.capacity()) {
                chunk.clear();
                while (chunk.hasRemaining() && in.read(chunk, at + chunk.position()) > 0) {
                    // read the whole chunk
                }
                chunk.flip();
                if (chunk.mismatch(ByteBuffer.allocate(chunk.remaining())) >= 0) {
                    while (chunk.hasRemaining()) {
                        out.write(chunk, at + chunk.position());
                    }
                }
            }
            if (out.size() < size) {
                out.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** The non-zero 64 KiB chunks of every file of a directory, restorable quickly (cycle files are mostly holes). */
    private record SparseImage(java.util.Map<String, Long> sizes, java.util.Map<String, java.util.Map<Long, byte[]>> chunks) {
        static SparseImage of(Path dir) throws IOException {
            java.util.Map<String, Long> sizes = new java.util.HashMap<>();
            java.util.Map<String, java.util.Map<Long, byte[]>> chunks = new java.util.HashMap<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    byte[] all = Files.readAllBytes(p);
                    java.util.Map<Long, byte[]> mine = new java.util.TreeMap<>();
                    for (int at = 0; at < all.length; at += 65536) {
                        byte[] chunk = java.util.Arrays.copyOfRange(all, at, Math.min(all.length, at + 65536));
                        if (java.util.Arrays.mismatch(chunk, new byte[chunk.length]) >= 0) {
                            mine.put((long) at, chunk);
                        }
                    }
                    sizes.put(p.getFileName().toString(), (long) all.length);
                    chunks.put(p.getFileName().toString(), mine);
                }
            }
            return new SparseImage(sizes, chunks);
        }

        void restore(Path dir) throws IOException {
            Files.createDirectories(dir);
            for (var file : sizes.entrySet()) {
                try (RandomAccessFile f = new RandomAccessFile(dir.resolve(file.getKey()).toFile(), "rw")) {
                    f.setLength(file.getValue());
                    for (var chunk : chunks.get(file.getKey()).entrySet()) {
                        f.seek(chunk.getKey());
                        f.write(chunk.getValue());
                    }
                }
            }
        }
    }

    private record Extent(File file, long headerOffset, int contentLength) {}
}
