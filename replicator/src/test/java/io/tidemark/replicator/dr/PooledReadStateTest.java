package io.tidemark.replicator.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.journal.RecordType;
import io.tidemark.replicator.seal.Compression;
import io.tidemark.replicator.seal.RecordSealer;
import io.tidemark.replicator.seal.SealedRecord;
import io.tidemark.replicator.seal.SealedRecordDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * What view reads reuse from read to read: the block index iterators pooled by the
 * {@link HistoryStore} (refreshed at each use, so a read sees every entry indexed before it
 * started; closed with the store, never used after it) and the journal read buffers of the pooled
 * record openers (records of any size read whole, nothing else allocated per record).
 */
class PooledReadStateTest {

    private static final long START_MILLIS = 1_790_000_000_000L;

    @TempDir
    Path dir;

    private static byte[] key(long grain, long sequence) {
        return BlockIndexDescriptor.key(1, grain, sequence);
    }

    private static void put(HistoryStore store, long grain, long sequence) throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(store.index(), key(grain, sequence), new byte[] {(byte) grain, (byte) sequence});
            store.write(batch);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    private static void delete(HistoryStore store, long grain, long sequence) throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            batch.delete(store.index(), key(grain, sequence));
            store.write(batch);
        } catch (RocksDBException e) {
            throw new IOException(e);
        }
    }

    /** The (grain, sequence) keys the iterator sees, from the first. */
    private static List<String> keys(RocksIterator it) {
        List<String> out = new ArrayList<>();
        for (it.seekToFirst(); it.isValid(); it.next()) {
            byte[] k = it.key();
            out.add(BlockIndexDescriptor.grainOf(k) + "@" + BlockIndexDescriptor.sequenceOf(k));
        }
        return out;
    }

    private static List<String> readOnce(HistoryStore store) {
        RocksIterator it = store.acquireIndexIterator();
        try {
            return keys(it);
        } finally {
            store.releaseIndexIterator(it);
        }
    }

    @Test
    void shouldReuseAnIndexIteratorAndSeeEveryEntryWrittenBeforeEachUse() throws IOException {
        try (HistoryStore store = HistoryStore.open(dir.resolve("index"))) {
            RocksIterator first = store.acquireIndexIterator();
            assertThat(keys(first)).isEmpty();
            store.releaseIndexIterator(first);
            assertThat(store.idleIndexIterators()).isEqualTo(1);

            put(store, 1, 10);
            put(store, 2, 11);
            RocksIterator again = store.acquireIndexIterator();
            assertThat(again).isSameAs(first); // reused, not created
            assertThat(keys(again)).containsExactly("1@10", "2@11"); // written after it was created

            // while it is held: what is written now is not part of this read (one consistent snapshot)...
            put(store, 3, 12);
            assertThat(keys(again)).containsExactly("1@10", "2@11");
            // ...and the memtables it reads are flushed to a file under it (a new version of the index)
            store.flush();
            put(store, 4, 13); // into the new memtable
            delete(store, 1, 10);
            store.releaseIndexIterator(again);

            RocksIterator third = store.acquireIndexIterator();
            try {
                assertThat(third).isSameAs(first); // held during the flush: pooled again, refreshed across versions
                assertThat(keys(third)).containsExactly("2@11", "3@12", "4@13");
            } finally {
                store.releaseIndexIterator(third);
            }

            // an idle iterator is closed by a flush (it would pin the flushed memtable)
            assertThat(store.idleIndexIterators()).isEqualTo(1);
            store.flush();
            assertThat(store.idleIndexIterators()).isZero();
            assertThat(first.isOwningHandle()).isFalse();
            put(store, 5, 14);
            assertThat(readOnce(store)).containsExactly("2@11", "3@12", "4@13", "5@14");
        }
    }

    @Test
    void shouldSeeEveryEntryWrittenBeforeEachReadWhileAnotherThreadWrites() throws Exception {
        try (HistoryStore store = HistoryStore.open(dir.resolve("index"))) {
            int entries = 3000;
            // how far the writer got: every entry up to it was written (write returned) before it is set
            AtomicLong through = new AtomicLong(-1);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (long i = 0; i < entries; i++) {
                        put(store, i, i);
                        through.set(i);
                        if (i % 500 == 499) {
                            store.flush(); // new versions of the index under the readers' pooled iterators
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            int reads = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (through.get() < entries - 1 || reads < 3) {
                long before = through.get(); // every entry up to here was written before this read started
                List<String> seen = readOnce(store);
                int prefix = 0;
                while (prefix < seen.size() && seen.get(prefix).equals(prefix + "@" + prefix)) {
                    prefix++;
                }
                assertThat(prefix).as("entries in order seen by read %d (%d written before it)", reads, before + 1)
                        .isEqualTo(seen.size()).isGreaterThanOrEqualTo((int) (before + 1));
                reads++;
                assertThat(System.nanoTime()).as("writer progress").isLessThan(deadline);
            }
            writer.get(60, TimeUnit.SECONDS);
            assertThat(readOnce(store)).hasSize(entries);
        }
    }

    @Test
    void shouldCloseThePooledIteratorsWithTheStoreAndRefuseAfterwards() throws IOException {
        HistoryStore store = HistoryStore.open(dir.resolve("index"));
        put(store, 1, 1);
        // three at once on this thread (as three reads in flight), then all idle in the pool
        List<RocksIterator> held = List.of(store.acquireIndexIterator(), store.acquireIndexIterator(),
                store.acquireIndexIterator());
        for (RocksIterator it : held) {
            assertThat(keys(it)).containsExactly("1@1");
        }
        for (RocksIterator it : held) {
            store.releaseIndexIterator(it);
        }
        assertThat(store.idleIndexIterators()).isEqualTo(3);
        store.close();
        assertThat(store.idleIndexIterators()).isZero();
        for (RocksIterator it : held) {
            assertThat(it.isOwningHandle()).as("closed with the store").isFalse();
        }
        assertThatThrownBy(store::acquireIndexIterator).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        store.close(); // again: nothing left to close
    }

    @Test
    void shouldWaitForAnIteratorInUseBeforeClosing() throws Exception {
        HistoryStore store = HistoryStore.open(dir.resolve("index"));
        put(store, 1, 1);
        RocksIterator inUse = store.acquireIndexIterator();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
            try {
                store.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!store.closeWaiting()) { // close flushed and now waits for the iterator's read side
            assertThat(closing).isNotDone();
            assertThat(System.nanoTime()).as("close waiting for the iterator in use").isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(keys(inUse)).containsExactly("1@1"); // still usable: nothing was closed under it
        assertThat(closing).isNotDone();
        store.releaseIndexIterator(inUse);
        closing.get(30, TimeUnit.SECONDS);
        assertThat(inUse.isOwningHandle()).isFalse();
    }

    // ------------------------------------------------------------------ journal read buffers

    @Test
    void shouldReadRecordsOfEverySizeWholeThroughOneReusedBuffer() throws IOException {
        RecordSealer sealer = new RecordSealer(io.tidemark.replicator.seal.DataKey.generate(), Compression.NONE);
        Random random = new Random(21);
        int[] sizes = {4096, 512, 65536, 0, 4096, 300 << 10, 1 << 20, 4096, 131072, 8192, 2 << 20, 512};
        List<ByteBuffer> sealed = new ArrayList<>();
        List<DrJournal.Location> at = new ArrayList<>();
        try (DrJournal journal = DrJournal.open("g1", dir.resolve("journal"), Duration.ofHours(1),
                new TestClock(START_MILLIS))) {
            for (int i = 0; i < sizes.length; i++) {
                byte[] payload = new byte[sizes[i]];
                random.nextBytes(payload);
                SealedRecord r = sealer.seal(sizes[i] == 0 ? RecordType.UNMAP : RecordType.WRITE, 0, 7, 1, 1, i + 1,
                        START_MILLIS * 1000, 0, Math.max(1, sizes[i] / 512), sizes[i] == 0 ? null : ByteBuffer.wrap(payload));
                sealed.add(r.bytes());
                at.add(journal.append(r.bytes()));
            }
            journal.force();
            DrJournal.ReadBuffer buffer = new DrJournal.ReadBuffer();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < sizes.length; i++) {
                    ByteBuffer got = journal.read(at.get(i).index(), at.get(i).position(), buffer);
                    assertThat(got.position()).isZero();
                    assertThat(got.hasArray()).isTrue(); // to the cipher as is, no copy
                    assertThat(got.order()).isEqualTo(java.nio.ByteOrder.LITTLE_ENDIAN);
                    assertThat(got).as("record %d (%d bytes of payload)", i, sizes[i]).isEqualTo(sealed.get(i));
                    assertThat(buffer.capacity()).isLessThanOrEqualTo(DrJournal.ReadBuffer.RETAINED_BYTES);
                }
            }
            // grown to fit the largest record it keeps a buffer for (128 KiB), not the 300 KiB to 2 MiB ones
            assertThat(buffer.capacity()).isGreaterThanOrEqualTo(
                    SealedRecordDescriptor.recordLength(131072 + SealedRecordDescriptor.TAG_LENGTH));
        }
    }

    @Test
    void shouldAllocateLittleMoreThanThePayloadPerRecordOpened() throws IOException {
        TestClock clock = new TestClock(START_MILLIS);
        RecordStream s = new RecordStream(clock, 31, Compression.NONE, 8 << 20);
        try (DrHistory h = DrHistory.open(dir, s.desc, s.key, new DrSettings(Duration.ofHours(1), 0, Duration.ofSeconds(1)),
                new SimpleMeterRegistry(), new DrHistory.Options(clock, BlockIndexDescriptor.GRAIN_BYTES, 1 << 20, false))) {
            for (SealedRecord r : s.fullSync(2048)) {
                h.append(r);
            }
            int n = 400;
            for (int i = 0; i < n; i++) {
                h.append(s.write(1, i * 8L, 8)); // 4 KiB of random bytes: stored uncompressed
            }
            h.sync();
            List<long[]> records = new ArrayList<>();
            try (RocksIterator it = h.store().iterator(h.store().records())) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    RecordEntry e = RecordEntry.decode(it.key(), it.value());
                    records.add(new long[] {e.journalIndex(), e.filePosition()});
                }
            }
            List<long[]> writes = records.subList(records.size() - n, records.size());
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long perRecord = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++) { // the first ones warm up (and create the opener)
                long before = threads.getCurrentThreadAllocatedBytes();
                long payload = 0;
                for (long[] w : writes) {
                    payload += h.openRecord(w[0], w[1]).payload().remaining();
                }
                long overhead = (threads.getCurrentThreadAllocatedBytes() - before - payload) / n;
                perRecord = Math.min(perRecord, overhead);
            }
            System.out.printf("allocated per 4 KiB record opened, besides its payload: %d bytes%n", perRecord);
            // was over 8 KiB (a read buffer per record); what is left (~1.8 KiB on JDK 17) is the
            // cipher's setup and a few small views
            assertThat(perRecord).isLessThan(4096);
        }
    }

    // ------------------------------------------------------------------ views

    @Test
    void shouldReadEntriesIndexedAfterTheReadersIteratorsWerePooled() throws Exception {
        TestClock clock = new TestClock(START_MILLIS);
        RecordStream s = new RecordStream(clock, 32, Compression.ZSTD, 4 << 20);
        int blocks = (4 << 20) / RecordStream.BLOCK;
        ExecutorService pool = Executors.newFixedThreadPool(3); // the same reader threads every round
        try (DrHistory h = DrHistory.open(dir, s.desc, s.key, new DrSettings(Duration.ofHours(1), 0, Duration.ofSeconds(1)),
                new SimpleMeterRegistry(), new DrHistory.Options(clock, BlockIndexDescriptor.GRAIN_BYTES, 1 << 20, false))) {
            for (SealedRecord r : s.fullSync(2048)) {
                h.append(r);
            }
            h.sync();
            for (int round = 0; round < 6; round++) {
                for (int i = 0; i < 40; i++) {
                    int n = 1 + s.random().nextInt(64);
                    h.append(s.write(1, s.random().nextInt(blocks - n + 1), n));
                }
                h.sync(); // indexed after the iterators pooled by the round before were created
                if (round == 3) {
                    h.store().flush(); // a new version of the index (and the idle iterators closed)
                }
                try (PitView view = h.openView(h.durableSequence())) {
                    byte[] model = s.modelAt(view.sequence()).get(1);
                    List<CompletableFuture<Void>> readers = new ArrayList<>();
                    int r = round;
                    for (int t = 0; t < 3; t++) {
                        int first = t;
                        readers.add(CompletableFuture.runAsync(() -> {
                            ByteBuffer dst = ByteBuffer.allocate(64 << 10);
                            for (long lba = first * 128L; lba < blocks; lba += 3 * 128L) {
                                try {
                                    view.read(1, lba, dst.clear());
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                                assertThat(dst.array()).as("round %d, lba %d", r, lba).isEqualTo(
                                        Arrays.copyOfRange(model, (int) lba * RecordStream.BLOCK,
                                                (int) lba * RecordStream.BLOCK + dst.capacity()));
                            }
                        }, pool));
                    }
                    CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                }
                assertThat(h.store().idleIndexIterators()).as("round %d", round).isBetween(1, 3);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void shouldCloseAHistoryWithPooledIteratorsAndRefuseViewReadsAfterwards() throws Exception {
        TestClock clock = new TestClock(START_MILLIS);
        RecordStream s = new RecordStream(clock, 33, Compression.ZSTD, 1 << 20);
        DrHistory h = DrHistory.open(dir, s.desc, s.key, new DrSettings(Duration.ofHours(1), 0, Duration.ofSeconds(1)),
                new SimpleMeterRegistry(), new DrHistory.Options(clock, BlockIndexDescriptor.GRAIN_BYTES, 1 << 20, false));
        for (SealedRecord r : s.fullSync(512)) {
            h.append(r);
        }
        for (int i = 0; i < 50; i++) {
            h.append(s.write(1, s.random().nextInt(2000), 8));
        }
        h.sync();
        PitView view = h.openView(h.durableSequence());
        Map<Integer, byte[]> model = s.modelAt(view.sequence());
        List<CompletableFuture<Void>> readers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            readers.add(CompletableFuture.runAsync(() -> {
                ByteBuffer all = ByteBuffer.allocate(1 << 20);
                try {
                    view.read(1, 0, all);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                assertThat(all.array()).isEqualTo(model.get(1));
            }));
        }
        CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(h.store().idleIndexIterators()).isPositive();
        h.close();
        assertThat(h.store().idleIndexIterators()).isZero();
        assertThatThrownBy(() -> view.read(1, 0, ByteBuffer.allocate(4096))).isInstanceOf(IllegalStateException.class);
        h.close(); // again: nothing left to close
    }
}
