package io.tidemark.benchmarks.journal;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.journal.DurabilityMode;
import io.tidemark.journal.GroupConfig;
import io.tidemark.journal.GroupVolume;
import io.tidemark.journal.WaitStrategyKind;
import io.tidemark.nativeio.AlignedBuffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The write pipeline without a store: writes go into a consistency group's Disruptor ring, the
 * appender journals them into Chronicle Queue, the applier discards them, the completer answers.
 * {@code appendQueueDepth32} submits {@link #DEPTH} writes (a queue depth) per invocation and
 * waits for all of them; {@code appendQueueDepth1} one write at a time (latency = 1 / score).
 * Score = records per second; MiB/s = score x blockBytes (the payload per record) / 2^20 (run-jmh.sh prints both).
 *
 * <p>{@code sync=false}: write-back, no fdatasync while measuring (the journal stays in the page
 * cache). {@code sync=true}: write-through, every write completes only after the fdatasync
 * that covers it; one fdatasync serves a whole ring batch (group commit).
 *
 * <p>The journal lives under {@code -Dtidemark.bench.dir} (default java.io.tmpdir): put it on the
 * file system you mean to measure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RingToJournalBenchmark {

    static final int DEPTH = 32;
    private static final long VOLUME_BLOCKS = 1L << 30;

    @Param({"4096", "65536"})
    public int blockBytes;

    @Param({"false", "true"})
    public boolean sync;

    @Param({"BACKOFF"})
    public String waitStrategy;

    private Path dir;
    private ConsistencyGroup group;
    private ByteBuffer data;
    private long nextLba;
    private int blocksPerRecord;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Long>[] pending = new CompletableFuture[DEPTH];

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("tidemark.bench.dir",
                System.getProperty("java.io.tmpdir"))), "ring-journal-bench");
        GroupConfig config = GroupConfig.defaults("bench", 1, dir)
                .withDurability(sync ? DurabilityMode.WRITE_THROUGH : DurabilityMode.WRITE_BACK)
                .withSyncInterval(Duration.ZERO)
                .withCheckpointInterval(Duration.ofHours(1))
                .withRing(1024, WaitStrategyKind.valueOf(waitStrategy));
        group = ConsistencyGroup.open(config, List.of(new GroupVolume(1, "bench", new DiscardingDevice(VOLUME_BLOCKS))),
                new SimpleMeterRegistry());
        data = AlignedBuffers.allocate(blockBytes);
        for (int i = 0; i < blockBytes; i++) {
            data.put(i, (byte) (i * 31 + 7));
        }
        blocksPerRecord = blockBytes / 512;
    }

    @Benchmark
    @OperationsPerInvocation(DEPTH)
    public long appendQueueDepth32() throws Exception {
        for (int i = 0; i < DEPTH; i++) {
            pending[i] = group.write(1, nextLba, data.duplicate(), false);
            nextLba = (nextLba + blocksPerRecord) % (VOLUME_BLOCKS - blocksPerRecord);
        }
        long last = 0;
        for (int i = 0; i < DEPTH; i++) {
            last = pending[i].get(60, TimeUnit.SECONDS);
        }
        return last;
    }

    /** One write at a time: 1 / score is the pipeline's latency per write at queue depth 1. */
    @Benchmark
    public long appendQueueDepth1() throws Exception {
        long sequence = group.write(1, nextLba, data.duplicate(), false).get(60, TimeUnit.SECONDS);
        nextLba = (nextLba + blocksPerRecord) % (VOLUME_BLOCKS - blocksPerRecord);
        return sequence;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        group.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
