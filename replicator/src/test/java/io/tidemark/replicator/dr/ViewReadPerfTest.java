package io.tidemark.replicator.dr;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.replicator.seal.Compression;
import io.tidemark.replicator.seal.SealedRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quick measurement of point-in-time view reads (printed; asserts only correctness), shaped like
 * the replication benchmark: random 4 KiB and 64 KiB writes over a mostly never-written volume,
 * then sequential 64 KiB reads of a view (one thread, then four on interleaved chunks) against
 * plain reads of the base image file.
 * -Ddr.measure.scale=N runs a larger volume.
 */
class ViewReadPerfTest {

    private static final int SCALE = Integer.getInteger("dr.measure.scale", 1);
    private static final int VOLUME_BYTES = (16 << 20) * SCALE;
    private static final int WRITES = 1500 * SCALE;

    @TempDir
    Path dir;

    @Test
    void shouldReadViewsSequentiallyAndPrintThroughput() throws IOException {
        TestClock clock = new TestClock(1_790_000_000_000L);
        RecordStream s = new RecordStream(clock, 77, Compression.NONE, VOLUME_BYTES);
        Random random = new Random(3);
        List<SealedRecord> sync = new ArrayList<>();
        sync.add(s.metadata(io.tidemark.replicator.seal.Metadata.syncStart(s.desc.totalBytes())));
        for (long lba = 0; lba < VOLUME_BYTES / 512; lba += 2048) { // never written: zero chunks, applied to the base below
            sync.add(s.snapshot(1, lba, 2048, true));
        }
        sync.add(s.metadata(io.tidemark.replicator.seal.Metadata.syncComplete()));
        clock.advance(Duration.ofHours(2));
        List<SealedRecord> writes = new ArrayList<>();
        for (int i = 0; i < WRITES; i++) {
            if (i % 4 == 3) {
                writes.add(s.write(1, (long) random.nextInt(VOLUME_BYTES / 65536) * 128, 128));
            } else {
                writes.add(s.write(1, (long) random.nextInt(VOLUME_BYTES / 4096) * 8, 8));
            }
        }
        try (DrHistory h = DrHistory.open(dir, s.desc, s.key, new DrSettings(Duration.ofHours(1), 0, Duration.ofSeconds(1)),
                new SimpleMeterRegistry(), new DrHistory.Options(clock, 4096, 64L << 20, false))) {
            for (SealedRecord r : sync) {
                h.append(r);
            }
            h.sync();
            for (int i = 0; i < writes.size(); i++) {
                h.append(writes.get(i));
                if (i % 64 == 63) {
                    h.sync();
                }
            }
            h.sync();
            h.runRetention(); // the sync ages out into the (sparse) base; the writes stay in the index
            try (PitView view = h.openView(h.durableSequence())) {
                ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
                double[] mbs = new double[8];
                for (int pass = 0; pass < mbs.length; pass++) { // passes 0-5 start with an empty cache
                    if (pass < 6) {
                        h.cache().clear();
                    }
                    long misses0 = h.cache().misses();
                    long hits0 = h.cache().hits();
                    long t1 = System.nanoTime();
                    for (long lba = 0; lba < VOLUME_BYTES / 512; lba += chunk.capacity() / 512) {
                        view.read(1, lba, chunk.clear());
                    }
                    mbs[pass] = VOLUME_BYTES / ((System.nanoTime() - t1) / 1e9) / 1e6;
                    System.out.printf("pass %d: %.0f MB/s, cache misses %d, hits %d%n", pass, mbs[pass],
                            h.cache().misses() - misses0, h.cache().hits() - hits0);
                }
                for (int pass = 0; pass < (SCALE == 1 ? 1 : 3); pass++) {
                    long t1 = System.nanoTime();
                    long opened = 0;
                    long bytes = 0;
                    try (org.rocksdb.RocksIterator it = h.store().iterator(h.store().records())) {
                        for (it.seekToFirst(); it.isValid(); it.next()) {
                            RecordEntry e = RecordEntry.decode(it.key(), it.value());
                            bytes += h.openRecord(e.journalIndex(), e.filePosition()).payload().remaining();
                            opened++;
                        }
                    }
                    double sec = (System.nanoTime() - t1) / 1e9;
                    System.out.printf("open all %d records (%d MB payload): %.3f s, %.1f us/record%n", opened, bytes >> 20, sec,
                            sec * 1e6 / opened);
                }
                for (int pass = 0; pass < (SCALE == 1 ? 1 : 4); pass++) { // 4 threads on interleaved chunks, as a queue depth > 1 reads
                    h.cache().clear();
                    int threads = 4;
                    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
                    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                    long t1 = System.nanoTime();
                    for (int t = 0; t < threads; t++) {
                        int first = t;
                        done.add(pool.submit(() -> {
                            ByteBuffer c = ByteBuffer.allocateDirect(64 * 1024);
                            for (long lba = first * 128L; lba < VOLUME_BYTES / 512; lba += threads * 128L) {
                                view.read(1, lba, c.clear());
                            }
                            return null;
                        }));
                    }
                    try {
                        for (java.util.concurrent.Future<?> f : done) {
                            f.get();
                        }
                    } catch (Exception e) {
                        throw new IOException(e);
                    } finally {
                        pool.shutdown();
                    }
                    System.out.printf("concurrent pass %d (4 threads, empty cache): %.0f MB/s%n", pass,
                            VOLUME_BYTES / ((System.nanoTime() - t1) / 1e9) / 1e6);
                }
                double[] baseMbs = new double[3];
                for (int pass = 0; pass < baseMbs.length; pass++) {
                    long t1 = System.nanoTime();
                    for (long off = 0; off < VOLUME_BYTES; off += chunk.capacity()) {
                        h.base().read(1, off, chunk.clear());
                    }
                    baseMbs[pass] = VOLUME_BYTES / ((System.nanoTime() - t1) / 1e9) / 1e6;
                }
                System.out.printf("DR view read sequential 64 KiB over %d MiB, %d writes: view %s MB/s (6 from an empty cache, 2 after; median of 1-5 %.0f); base image file %s MB/s%n",
                        VOLUME_BYTES >> 20, WRITES, fmt(mbs), median(Arrays.copyOfRange(mbs, 1, 6)), fmt(baseMbs));

                Map<Integer, byte[]> model = s.modelAt(view.sequence());
                ByteBuffer check = ByteBuffer.allocate(64 * 1024);
                for (long lba = 0; lba < VOLUME_BYTES / 512; lba += check.capacity() / 512) {
                    view.read(1, lba, check.clear());
                    byte[] expected = Arrays.copyOfRange(model.get(1), (int) lba * 512, (int) lba * 512 + check.capacity());
                    assertThat(check.array()).isEqualTo(expected);
                }
            }
        }
    }

    /**
     * Shaped like replication-bench.sh's view: a whole-volume zero sync kept in the history (every
     * grain has an entry), sequential 4 KiB writes over the first ninth, random 4 KiB writes over
     * a tenth of the blocks, random aligned 64 KiB writes about once per 64 KiB; compressible
     * payloads sealed with zstd. Reads the first 3/8 of the view sequentially in 64 KiB reads from
     * 4 threads (interleaved, as a queue depth > 1 does) and prints wall-clock throughput and the
     * CPU spent per read (the reading threads plus the JVM's GC), which a busy machine bends less.
     */
    @Test
    void shouldReadABenchShapedViewAndPrintCpuPerRead() throws Exception {
        TestClock clock = new TestClock(1_790_000_000_000L);
        RecordStream s = new RecordStream(clock, 78, Compression.ZSTD, VOLUME_BYTES);
        Random random = new Random(5);
        List<SealedRecord> records = new ArrayList<>();
        records.add(s.metadata(io.tidemark.replicator.seal.Metadata.syncStart(s.desc.totalBytes())));
        for (long lba = 0; lba < VOLUME_BYTES / 512; lba += 2048) {
            records.add(s.snapshot(1, lba, 2048, true));
        }
        records.add(s.metadata(io.tidemark.replicator.seal.Metadata.syncComplete()));
        int blocks4k = VOLUME_BYTES / 4096;
        for (int i = 0; i < blocks4k / 9; i++) {
            records.add(s.record(1, io.tidemark.journal.RecordType.WRITE, 0, i * 8L, 8, compressible(random, 4096)));
        }
        for (int i = 0; i < blocks4k / 10; i++) {
            records.add(s.record(1, io.tidemark.journal.RecordType.WRITE, 0, random.nextInt(blocks4k) * 8L, 8,
                    compressible(random, 4096)));
        }
        for (int i = 0; i < VOLUME_BYTES / 65536; i++) {
            records.add(s.record(1, io.tidemark.journal.RecordType.WRITE, 0, random.nextInt(VOLUME_BYTES / 65536) * 128L, 128,
                    compressible(random, 65536)));
        }
        try (DrHistory h = DrHistory.open(dir, s.desc, s.key, new DrSettings(Duration.ofHours(1), 0, Duration.ofSeconds(1)),
                new SimpleMeterRegistry(), new DrHistory.Options(clock, 4096, 64L << 20, false))) {
            for (int i = 0; i < records.size(); i++) {
                h.append(records.get(i));
                if (i % 64 == 63) {
                    h.sync();
                }
            }
            h.sync();
            long readBytes = VOLUME_BYTES / 8 * 3;
            try (PitView view = h.openView(h.durableSequence())) {
                java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
                int passes = SCALE == 1 ? 2 : 6;
                double[] mbs = new double[passes];
                double[] cpuPerRead = new double[passes];
                for (int pass = 0; pass < passes; pass++) {
                    int n = 4;
                    long gc0 = gcMillis();
                    long misses0 = h.cache().misses();
                    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
                    List<java.util.concurrent.Future<Long>> done = new ArrayList<>();
                    long t1 = System.nanoTime();
                    for (int t = 0; t < n; t++) {
                        int first = t;
                        done.add(pool.submit(() -> {
                            long cpu0 = threads.getCurrentThreadCpuTime();
                            ByteBuffer c = ByteBuffer.allocate(64 * 1024);
                            for (long lba = first * 128L; lba < readBytes / 512; lba += n * 128L) {
                                view.read(1, lba, c.clear());
                            }
                            return threads.getCurrentThreadCpuTime() - cpu0;
                        }));
                    }
                    long cpu = 0;
                    try {
                        for (java.util.concurrent.Future<Long> f : done) {
                            cpu += f.get();
                        }
                    } finally {
                        pool.shutdown();
                    }
                    double sec = (System.nanoTime() - t1) / 1e9;
                    long reads = readBytes / 65536;
                    mbs[pass] = readBytes / sec / 1e6;
                    cpuPerRead[pass] = (cpu / 1e3 + (gcMillis() - gc0) * 1e3) / reads;
                    System.out.printf("bench-shaped pass %d: %.0f MB/s, %.1f us CPU per 64 KiB read (readers + GC pauses), "
                            + "%d opens%n", pass, mbs[pass], cpuPerRead[pass], h.cache().misses() - misses0);
                }
                System.out.printf("DR view, bench-shaped, %d MiB of %d MiB read, 4 threads: %s MB/s; CPU per read: median %.1f us (%s)%n",
                        readBytes >> 20, VOLUME_BYTES >> 20, fmt(mbs), median(cpuPerRead), fmt(cpuPerRead));

                Map<Integer, byte[]> model = s.modelAt(view.sequence());
                ByteBuffer check = ByteBuffer.allocate(64 * 1024);
                for (long lba = 0; lba < VOLUME_BYTES / 512; lba += check.capacity() / 512) {
                    view.read(1, lba, check.clear());
                    byte[] expected = Arrays.copyOfRange(model.get(1), (int) lba * 512, (int) lba * 512 + check.capacity());
                    assertThat(check.array()).as("lba %d", lba).isEqualTo(expected);
                }
            }
        }
    }

    /** Runs of one byte value, as guest data often is: zstd shrinks it well. */
    private static byte[] compressible(Random random, int n) {
        byte[] b = new byte[n];
        for (int at = 0; at < n; ) {
            int run = Math.min(n - at, 64 + random.nextInt(448));
            Arrays.fill(b, at, at + run, (byte) random.nextInt(4));
            at += run;
        }
        return b;
    }

    private static long gcMillis() {
        long total = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static String fmt(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double d : v) {
            b.append(b.length() == 0 ? "" : " / ").append(String.format("%.0f", d));
        }
        return b.toString();
    }
}
