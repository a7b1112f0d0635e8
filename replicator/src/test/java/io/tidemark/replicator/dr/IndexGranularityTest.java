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
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * A quick measurement behind the index granularity (printed; asserts only correctness): the
 * same stream of 4 KiB writes (plus some single 512-byte sectors) into a volume of 512-byte
 * blocks, indexed per 4 KiB grain with a sector mask or per 512-byte block; index entries put
 * per second during ingest (seal verification and journal included, as the sink runs them),
 * then sequential (64 KiB) and random (4 KiB) view read throughput.
 */
class IndexGranularityTest {

    /** -Ddr.measure.scale=N runs N times more work (for the note); 1 keeps CI quick. */
    private static final int SCALE = Integer.getInteger("dr.measure.scale", 1);
    private static final int WRITES = 1000 * SCALE;
    private static final int REGION_BYTES = (4 << 20) * SCALE;
    private static final int RANDOM_READS = 2000 * SCALE;
    private static final int PUT_RECORDS = 2500 * SCALE;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "grain {0} bytes")
    @ValueSource(ints = {4096, 512})
    void shouldReadTheSameDataWithEitherGrainAndPrintThroughput(int grainBytes) throws IOException {
        TestClock clock = new TestClock(1_790_000_000_000L);
        RecordStream s = new RecordStream(clock, 31, Compression.NONE, REGION_BYTES);
        List<SealedRecord> sync = s.fullSync(2048); // 1 MiB chunks
        Random random = new Random(5);
        List<SealedRecord> writes = new ArrayList<>();
        long entries = 0;
        for (int i = 0; i < WRITES; i++) {
            if (i % 10 == 9) {
                writes.add(s.write(1, random.nextInt(REGION_BYTES / 512), 1));
                entries++;
            } else {
                writes.add(s.write(1, (long) random.nextInt(REGION_BYTES / 4096) * 8, 8));
                entries += grainBytes == 4096 ? 1 : 8;
            }
        }
        try (DrHistory h = DrHistory.open(dir, s.desc, s.key, new DrSettings(Duration.ofHours(1), 0, Duration.ofSeconds(1)),
                new SimpleMeterRegistry(), new DrHistory.Options(clock, grainBytes, 64L << 20, false))) {
            for (SealedRecord r : sync) {
                h.append(r);
            }
            h.sync();
            long t0 = System.nanoTime();
            long inSync = 0;
            for (int i = 0; i < writes.size(); i++) {
                h.append(writes.get(i));
                if (i % 16 == 15) {
                    long ts = System.nanoTime();
                    h.sync();
                    inSync += System.nanoTime() - ts;
                }
            }
            h.sync();
            double ingestSeconds = (System.nanoTime() - t0) / 1e9;

            double indexPutsPerSecond = measureIndexPuts(h, grainBytes, s);
            try (PitView view = h.openView(h.durableSequence())) {
                ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
                double[] seq = new double[2];
                for (int pass = 0; pass < 2; pass++) { // pass 0 opens (decrypts) every record once; pass 1 hits the cache
                    long t1 = System.nanoTime();
                    for (long lba = 0; lba < REGION_BYTES / 512; lba += chunk.capacity() / 512) {
                        view.read(1, lba, chunk.clear());
                    }
                    seq[pass] = REGION_BYTES / ((System.nanoTime() - t1) / 1e9) / 1e6;
                }
                ByteBuffer block = ByteBuffer.allocateDirect(4096);
                long t2 = System.nanoTime();
                for (int i = 0; i < RANDOM_READS; i++) {
                    view.read(1, (long) random.nextInt(REGION_BYTES / 4096) * 8, block.clear());
                }
                double randomSeconds = (System.nanoTime() - t2) / 1e9;
                System.out.printf("DR index grain %4d B: %d writes -> %d entries; index puts %.0f entries/s; sink ingest "
                                + "(tag check, journal, fdatasync per 16) %.0f records/s (%.0f%% in sync); view read sequential 64 KiB "
                                + "%.0f MB/s cold, %.0f MB/s cached; random 4 KiB %.0f reads/s cached%n",
                        grainBytes, WRITES, entries, indexPutsPerSecond, WRITES / ingestSeconds, 100 * inSync / 1e9 / ingestSeconds,
                        seq[0], seq[1],
                        RANDOM_READS / randomSeconds);

                // correctness of a sample against the model
                Map<Integer, byte[]> model = s.modelAt(view.sequence());
                ByteBuffer check = ByteBuffer.allocate(256 * 1024);
                for (int i = 0; i < 8; i++) {
                    long lba = (long) random.nextInt(REGION_BYTES / check.capacity()) * (check.capacity() / 512);
                    view.read(1, lba, check.clear());
                    byte[] expected = java.util.Arrays.copyOfRange(model.get(1), (int) lba * 512,
                            (int) lba * 512 + check.capacity());
                    assertThat(check.array()).isEqualTo(expected);
                }
            }
        }
    }

    /** Index entries of PUT_RECORDS 4 KiB writes put through RocksDB (batches of 16 records, as syncs do), per second. */
    private static double measureIndexPuts(DrHistory h, int grainBytes, RecordStream s) throws IOException {
        VolumeLayout layout = VolumeLayout.of(s.desc.volumes().get(0), grainBytes);
        Random random = new Random(9);
        long entries = 0;
        long t0 = System.nanoTime();
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < PUT_RECORDS; i++) {
                long lba = (long) random.nextInt(REGION_BYTES / 4096) * 8;
                layout.index(batch, h.store().index(), BlockEffect.DATA, lba, 8, 1_000_000 + i, i, 0);
                entries += 8 / layout.sectorsPerGrain();
                if (i % 16 == 15) {
                    h.store().write(batch);
                    batch.clear();
                }
            }
            h.store().write(batch);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
        return entries / ((System.nanoTime() - t0) / 1e9);
    }
}
