package io.tidemark.replicator.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.journal.RecordType;
import io.tidemark.replicator.seal.Compression;
import io.tidemark.replicator.seal.OpenedRecord;
import io.tidemark.replicator.seal.RecordOpener;
import io.tidemark.replicator.seal.RecordSealer;
import io.tidemark.replicator.seal.SealedRecord;
import io.tidemark.replicator.seal.SealedRecordDescriptor;
import io.tidemark.replicator.seal.TamperedRecordException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

/**
 * View reads reuse per-thread state (index entry buffers, the opener's scratch and zstd context,
 * the cache's shared openings): reads from many threads at once must still each get exactly
 * their blocks, a payload handed out must never change afterwards, and a record altered at rest
 * must be refused every time it is read, without poisoning the reads after it.
 */
class ViewReadReuseTest {

    private static final int VOLUME_BYTES = 8 << 20;

    @TempDir
    Path dir;

    private DrHistory open(RecordStream s, long cacheBytes) throws IOException {
        return DrHistory.open(dir, s.desc, s.key, new DrSettings(Duration.ofHours(1), 0, Duration.ofSeconds(1)),
                new SimpleMeterRegistry(), new DrHistory.Options(s.clock, BlockIndexDescriptor.GRAIN_BYTES, cacheBytes, false));
    }

    /** Compressible (zstd) and random (stored uncompressed) writes of 1 to 128 blocks, some unaligned, over a synced volume. */
    private static List<SealedRecord> mixedHistory(RecordStream s, Random random, int writes) {
        List<SealedRecord> out = new ArrayList<>(s.fullSync(2048));
        int blocks = VOLUME_BYTES / RecordStream.BLOCK;
        for (int i = 0; i < writes; i++) {
            int n = switch (random.nextInt(4)) {
                case 0 -> 8;
                case 1 -> 128;
                case 2 -> random.nextInt(8) == 0 ? 2048 : 64;
                default -> 1 + random.nextInt(24);
            };
            long lba = random.nextInt(blocks - n + 1);
            if (random.nextBoolean()) {
                out.add(s.record(1, RecordType.WRITE, 0, lba, n, compressible(random, n * RecordStream.BLOCK)));
            } else {
                out.add(s.write(1, lba, n));
            }
        }
        return out;
    }

    @Test
    void shouldReadExactlyTheModelFromManyThreadsAtOnce() throws Exception {
        RecordStream s = new RecordStream(new TestClock(1_790_000_000_000L), 41, Compression.ZSTD, VOLUME_BYTES);
        Random random = new Random(11);
        List<SealedRecord> records = mixedHistory(s, random, 800);
        // a small cache, so that readers keep opening records (and missing the same ones together)
        try (DrHistory h = open(s, 256 << 10)) {
            for (SealedRecord r : records) {
                h.append(r);
            }
            h.sync();
            try (PitView view = h.openView(h.durableSequence())) {
                byte[] model = s.modelAt(view.sequence()).get(1);
                ExecutorService pool = Executors.newFixedThreadPool(6);
                try {
                    List<Future<Integer>> done = new ArrayList<>();
                    for (int t = 0; t < 6; t++) {
                        long seed = t;
                        done.add(pool.submit(() -> {
                            Random r = new Random(seed);
                            int checked = 0;
                            for (int i = 0; i < 400; i++) {
                                int blocks = 1 + r.nextInt(256);
                                long lba = r.nextInt(VOLUME_BYTES / RecordStream.BLOCK - blocks + 1);
                                ByteBuffer dst = r.nextBoolean() ? ByteBuffer.allocate(blocks * RecordStream.BLOCK)
                                        : ByteBuffer.allocateDirect(blocks * RecordStream.BLOCK);
                                view.read(1, lba, dst);
                                byte[] got = new byte[dst.capacity()];
                                dst.flip().get(got);
                                byte[] expected = Arrays.copyOfRange(model, (int) lba * RecordStream.BLOCK,
                                        (int) (lba + blocks) * RecordStream.BLOCK);
                                assertThat(got).as("blocks %d+%d", lba, blocks).isEqualTo(expected);
                                checked++;
                            }
                            return checked;
                        }));
                    }
                    for (Future<Integer> f : done) {
                        assertThat(f.get(120, TimeUnit.SECONDS)).isEqualTo(400);
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertThat(h.cache().misses()).isGreaterThan(0);
            }
        }
    }

    @Test
    void shouldRefuseARecordAlteredAtRestEveryTimeAndStillReadTheRest() throws IOException {
        RecordStream s = new RecordStream(new TestClock(1_790_000_000_000L), 42, Compression.ZSTD, VOLUME_BYTES);
        Random random = new Random(12);
        List<SealedRecord> records = new ArrayList<>(s.fullSync(2048));
        records.add(s.record(1, RecordType.WRITE, 0, 0, 128, compressible(random, 128 * RecordStream.BLOCK))); // zstd
        records.add(s.write(1, 256, 128)); // random: stored uncompressed
        records.add(s.record(1, RecordType.WRITE, 0, 512, 128, compressible(random, 128 * RecordStream.BLOCK)));
        records.add(s.write(1, 768, 128));
        try (DrHistory h = open(s, 64L << 20)) {
            for (SealedRecord r : records) {
                h.append(r);
            }
            h.sync();
            flipCiphertextByte(h, 0);   // the first compressed record
            flipCiphertextByte(h, 256); // the first uncompressed one
            try (PitView view = h.openView(h.durableSequence())) {
                byte[] model = s.modelAt(view.sequence()).get(1);
                for (int round = 0; round < 2; round++) { // refused again: nothing of it was cached
                    for (long lba : new long[] {0, 256}) {
                        assertThatThrownBy(() -> view.read(1, lba, ByteBuffer.allocate(64 * 1024)))
                                .isInstanceOf(IOException.class).hasMessageContaining("does not open")
                                .hasRootCauseInstanceOf(TamperedRecordException.class);
                    }
                    // the intact records right after open fine with the same (pooled) openers
                    for (long lba : new long[] {512, 768, 1024}) {
                        ByteBuffer dst = ByteBuffer.allocate(64 * 1024);
                        view.read(1, lba, dst);
                        assertThat(dst.array()).isEqualTo(Arrays.copyOfRange(model, (int) lba * RecordStream.BLOCK,
                                (int) lba * RecordStream.BLOCK + dst.capacity()));
                    }
                }
            }
        }
    }

    @Test
    void shouldNeverChangeAPayloadOnceOpenedWhenTheOpenerGoesOn() throws TamperedRecordException {
        RecordStream s = new RecordStream(new TestClock(1_790_000_000_000L), 43, Compression.ZSTD, VOLUME_BYTES);
        RecordSealer sealer = new RecordSealer(s.key, Compression.ZSTD);
        RecordOpener opener = new RecordOpener(s.key);
        Random random = new Random(13);
        List<byte[]> payloads = new ArrayList<>();
        List<OpenedRecord> opened = new ArrayList<>();
        int[] sizes = {1 << 20, 4096, 65536, 512, 1 << 20, 8192, 4096};
        for (int i = 0; i < sizes.length * 2; i++) {
            int n = sizes[i % sizes.length];
            byte[] payload = new byte[n];
            if (i % 2 == 0) {
                payload = compressible(random, n);
            } else {
                random.nextBytes(payload);
            }
            payloads.add(payload);
            SealedRecord sealed = sealer.seal(RecordType.WRITE, 0, 9, 1, 1, i + 1, 1, 0, n / 512, ByteBuffer.wrap(payload));
            assertThat(sealed.compression()).isEqualTo(i % 2 == 0 ? Compression.ZSTD : Compression.NONE);
            // direct and heap records take different paths into the cipher
            ByteBuffer bytes = i % 3 == 0 ? ByteBuffer.allocateDirect(sealed.length()) : ByteBuffer.allocate(sealed.length());
            bytes.put(sealed.bytes()).flip();
            opened.add(opener.open(bytes));
            if (i == 5) { // a tampered compressed record in the middle changes nothing either
                SealedRecord big = sealer.seal(RecordType.WRITE, 0, 9, 1, 1, 100, 1, 0, 2048,
                        ByteBuffer.wrap(compressible(random, 1 << 20)));
                ByteBuffer bad = ByteBuffer.allocate(big.length());
                bad.put(big.bytes()).flip();
                bad.put(bad.limit() - 30, (byte) (bad.get(bad.limit() - 30) ^ 0x40));
                ByteBuffer refused = bad;
                assertThatThrownBy(() -> opener.open(refused)).isInstanceOf(TamperedRecordException.class)
                        .hasMessageContaining("seq 100");
            }
        }
        for (int i = 0; i < opened.size(); i++) {
            ByteBuffer p = opened.get(i).payload();
            byte[] got = new byte[p.remaining()];
            p.get(got);
            assertThat(got).as("payload %d", i).isEqualTo(payloads.get(i));
        }
    }

    /** Alters one ciphertext byte, in its DR journal file, of the newest record covering block {@code lba}. */
    private static void flipCiphertextByte(DrHistory h, long lba) throws IOException {
        long grain = lba * RecordStream.BLOCK / BlockIndexDescriptor.GRAIN_BYTES;
        byte[] value = null;
        try (RocksIterator it = h.store().iterator(h.store().index())) {
            for (it.seek(BlockIndexDescriptor.key(1, grain, 0)); it.isValid(); it.next()) {
                if (BlockIndexDescriptor.volumeOf(it.key()) != 1 || BlockIndexDescriptor.grainOf(it.key()) != grain) {
                    break;
                }
                value = it.value();
            }
        }
        assertThat(value).isNotNull();
        assertThat(BlockIndexDescriptor.kindOf(value)).isEqualTo(BlockIndexDescriptor.KIND_DATA);
        long index = BlockIndexDescriptor.journalIndexOf(value);
        long at = BlockIndexDescriptor.filePositionOf(value) + SealedRecordDescriptor.HEADER_LENGTH + 3;
        Path file = h.journal().fileOf(h.journal().rollCycle().toCycle(index)).toPath();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x01));
            b.clear();
            ch.write(b, at);
        }
    }

    /** Runs of one byte value: zstd shrinks them well. */
    static byte[] compressible(Random random, int n) {
        byte[] b = new byte[n];
        for (int at = 0; at < n; ) {
            int run = Math.min(n - at, 64 + random.nextInt(448));
            Arrays.fill(b, at, at + run, (byte) random.nextInt(4));
            at += run;
        }
        return b;
    }
}
