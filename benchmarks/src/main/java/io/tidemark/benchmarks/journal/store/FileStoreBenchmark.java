package io.tidemark.benchmarks.journal.store;

import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import io.tidemark.nativeio.AlignedBuffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The volume store alone, no protocol: pwrite/pread of one I/O per call on a prefilled sparse
 * file, O_DIRECT and buffered, 4 KiB and 64 KiB. Scores are operations per second; MiB/s is
 * score x blockBytes / 2^20 (run-jmh.sh prints both). Run with {@code -t N} for N concurrent
 * callers, the closest JMH gets to a queue depth.
 *
 * <p>The file lives under {@code -Dtidemark.bench.dir} (default java.io.tmpdir): put it on the
 * file system you mean to measure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FileStoreBenchmark {

    /** Small enough to prefill in a second or two, large enough that reads are not all one extent. */
    static final long FILE_BYTES = 256L << 20;
    private static final int PREFILL_CHUNK = 1 << 20;

    @Param({"4096", "65536"})
    public int blockBytes;

    /** direct: O_DIRECT (store.direct-io = true, the default); buffered: page cache + fdatasync. */
    @Param({"direct", "buffered"})
    public String io;

    FileStore store;
    Path dir;
    /** I/Os that fit in the file. */
    long slots;
    /** Store blocks per I/O. */
    int blocksPerIo;

    @Setup(Level.Trial)
    public void openStore() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("tidemark.bench.dir",
                System.getProperty("java.io.tmpdir"))), "filestore-bench");
        StoreOptions options = StoreOptions.DEFAULTS.withDirectIo(ioMode(io));
        store = FileStore.create(dir.resolve("volume.img"), FILE_BYTES, options);
        if (store.directIo() != options.directIo()) {
            throw new IllegalStateException("io=" + io + " but the store opened " + store
                    + ": this file system does not allow O_DIRECT, pick another tidemark.bench.dir");
        }
        blocksPerIo = blockBytes / store.blockSize();
        slots = FILE_BYTES / blockBytes;
        prefill();
    }

    /** Writes every block once, so reads hit data and timed writes never allocate extents. */
    private void prefill() throws IOException {
        ByteBuffer chunk = AlignedBuffers.allocate(PREFILL_CHUNK);
        for (int i = 0; i < PREFILL_CHUNK; i++) {
            chunk.put(i, (byte) (i * 31 + 7));
        }
        long blocksPerChunk = PREFILL_CHUNK / store.blockSize();
        for (long block = 0; block < store.blockCount(); block += blocksPerChunk) {
            store.write(block, chunk);
        }
        store.flush();
    }

    @TearDown(Level.Trial)
    public void closeStore() throws IOException {
        store.close();
        Files.deleteIfExists(dir.resolve("volume.img"));
        Files.deleteIfExists(dir);
    }

    static boolean ioMode(String io) {
        return switch (io) {
            case "direct" -> true;
            case "buffered" -> false;
            default -> throw new IllegalArgumentException("io: " + io + " (expected: direct or buffered)");
        };
    }

    /** One caller's buffer and position. Not thread-safe: JMH gives each benchmark thread its own. */
    @State(Scope.Thread)
    public static class Caller {
        ByteBuffer buffer;
        long nextSlot;
        private long random;

        @Setup(Level.Trial)
        public void allocate(FileStoreBenchmark bench) {
            buffer = AlignedBuffers.allocate(bench.blockBytes);
            for (int i = 0; i < bench.blockBytes; i++) {
                buffer.put(i, (byte) 0xa5);
            }
            random = ThreadLocalRandom.current().nextLong() | 1;
            // threads start at random places so concurrent sequential callers rarely overlap
            nextSlot = ThreadLocalRandom.current().nextLong(bench.slots);
        }

        /** Sequential, wrapping at the end of the file. */
        long sequentialSlot(long slots) {
            long slot = nextSlot;
            nextSlot = slot + 1 == slots ? 0 : slot + 1;
            return slot;
        }

        /** Uniform over the file (xorshift64: no allocation, no shared state). */
        long randomSlot(long slots) {
            long x = random;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            random = x;
            return Long.remainderUnsigned(x, slots);
        }
    }

    @Benchmark
    public ByteBuffer sequentialWrite(Caller caller) throws IOException {
        store.write(caller.sequentialSlot(slots) * blocksPerIo, caller.buffer);
        return caller.buffer;
    }

    /** A write made durable at once: the cost of FUA or a write followed by SYNCHRONIZE CACHE. */
    @Benchmark
    public ByteBuffer sequentialWriteAndFlush(Caller caller) throws IOException {
        store.write(caller.sequentialSlot(slots) * blocksPerIo, caller.buffer);
        store.flush();
        return caller.buffer;
    }

    @Benchmark
    public ByteBuffer randomRead(Caller caller) throws IOException {
        store.read(caller.randomSlot(slots) * blocksPerIo, caller.buffer);
        return caller.buffer;
    }

    @Benchmark
    public ByteBuffer sequentialRead(Caller caller) throws IOException {
        store.read(caller.sequentialSlot(slots) * blocksPerIo, caller.buffer);
        return caller.buffer;
    }
}
