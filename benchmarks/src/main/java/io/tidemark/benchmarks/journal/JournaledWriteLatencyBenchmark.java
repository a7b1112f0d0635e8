package io.tidemark.benchmarks.journal;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.appliance.lun.BlockDeviceUnit;
import io.tidemark.appliance.lun.JournaledUnit;
import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.journal.GroupConfig;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import io.tidemark.nativeio.AlignedBuffers;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * Issue 3's latency goal (a journaled write costs at most 1.1x an unjournaled one at queue
 * depth 1): random writes, one at a time, each joined before the next, through the appliance's
 * {@link BlockDeviceUnit} on a {@link FileStore} ({@code unit=plain}) and through a
 * {@link JournaledUnit} with {@link GroupConfig#defaults} (write-back, fdatasync every second)
 * over the same kind of store ({@code unit=journaled}). Both on a prefilled 256 MiB volume
 * file under {@code -Dtidemark.bench.dir}, with {@code store.direct-io} false (the appliance
 * default) and true. Scores are latencies in microseconds (SampleTime: p50, p99 and so on).
 *
 * <p>Not thread-safe: one benchmark thread, which is what queue depth 1 means here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class JournaledWriteLatencyBenchmark {

    static final long VOLUME_BYTES = 256L << 20;
    private static final int LOGICAL_BLOCK = 512;
    private static final int PREFILL_CHUNK = 1 << 20;

    /** How each unit kind is opened over the prefilled volume file in a directory. */
    private static final Map<String, UnitOpener> OPENERS = Map.of(
            "plain", (dir, image, direct) -> BlockDeviceUnit.openFile(image, dir.resolve("bench.pr"), direct),
            "journaled", (dir, image, direct) -> JournaledUnit.openFile(image, dir.resolve("bench.pr"), direct,
                    GroupConfig.defaults("bench", 1, Files.createDirectories(dir.resolve("journal"))),
                    new SimpleMeterRegistry()));

    @Param({"4096", "65536"})
    public int blockBytes;

    /** plain: BlockDeviceUnit on FileStore (no journal); journaled: JournaledUnit, write-back. */
    @Param({"plain", "journaled"})
    public String unit;

    /** store.direct-io: false is the appliance default (page cache), true is O_DIRECT. */
    @Param({"false", "true"})
    public boolean directIo;

    LogicalUnit lun;
    long slots;
    ByteBuffer data;
    private Path dir;
    private long random;

    @Setup(Level.Trial)
    public void open() throws IOException {
        UnitOpener opener = opener(unit);
        dir = Files.createTempDirectory(Path.of(System.getProperty("tidemark.bench.dir",
                System.getProperty("java.io.tmpdir"))), "journaled-latency-bench");
        Path image = dir.resolve("bench.img");
        FileStore.create(image, VOLUME_BYTES, StoreOptions.DEFAULTS.withDirectIo(directIo)).close();
        prefill(dir, image, directIo);
        lun = opener.open(dir, image, directIo);
        slots = VOLUME_BYTES / blockBytes;
        data = AlignedBuffers.allocate(blockBytes);
        for (int i = 0; i < blockBytes; i++) {
            data.put(i, (byte) (i * 31 + 7));
        }
        random = ThreadLocalRandom.current().nextLong() | 1;
    }

    /** Unjournaled and untimed, so timed writes never allocate and the journal starts empty. */
    private static void prefill(Path dir, Path image, boolean directIo) throws IOException {
        ByteBuffer chunk = AlignedBuffers.allocate(PREFILL_CHUNK);
        try (BlockDeviceUnit filler = BlockDeviceUnit.openFile(image, dir.resolve("prefill.pr"), directIo)) {
            for (long lba = 0; lba < filler.blockCount(); lba += PREFILL_CHUNK / LOGICAL_BLOCK) {
                filler.write(lba, chunk.duplicate(), false).join();
            }
            filler.flush().join();
        }
    }

    static UnitOpener opener(String unit) {
        UnitOpener opener = OPENERS.get(unit);
        if (opener == null) {
            throw new IllegalArgumentException("unit: " + unit + " (expected one of: " + OPENERS.keySet() + ")");
        }
        return opener;
    }

    /** Restarts the LBA sequence (the test replays it to read back what was written). */
    void seed(long seed) {
        random = seed | 1;
    }

    /** First LBA of a uniformly chosen block-sized slot (xorshift64). */
    long nextLba() {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return Long.remainderUnsigned(x, slots) * (blockBytes / LOGICAL_BLOCK);
    }

    /** One random write, completed (status ready for the initiator) before the next: queue depth 1. */
    @Benchmark
    public Void randomWrite() {
        return lun.write(nextLba(), data.duplicate(), false).join();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        try {
            if (lun instanceof Closeable closeable) {
                closeable.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @FunctionalInterface
    interface UnitOpener {
        LogicalUnit open(Path dir, Path image, boolean directIo) throws IOException;
    }
}
