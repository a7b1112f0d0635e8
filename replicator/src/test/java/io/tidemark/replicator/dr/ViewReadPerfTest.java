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
