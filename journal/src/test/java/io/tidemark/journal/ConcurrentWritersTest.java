package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.BLOCK;
import static io.tidemark.journal.GroupFixture.VOLUME;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several sessions write overlapping blocks while others read and while COMPARE AND WRITE
 * increments a shared counter. A checker replays the journal into a fresh device and compares
 * it with the store; every read must show, for each block, a write at least as new as the
 * newest write to it that completed before the read started.
 */
class ConcurrentWritersTest {

    private static final long TIMEOUT_S = 60;
    private static final int AREA = 64;
    private static final long COUNTER_LBA = 500;
    private static final int WRITERS = 4;
    private static final int READERS = 2;
    private static final int OPS = 300;

    @TempDir
    Path dir;

    private GroupFixture fx;
    private ExecutorService pool;
    private final AtomicLong ticker = new AtomicLong();
    /** writeId -> sequence; writeId 0 = never written (zeros). */
    private final Map<Long, Long> sequenceOf = new ConcurrentHashMap<>();
    /** writes in completion order: ticket, sequence, lba, blocks. */
    private final List<long[]> completed = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Seen> seen = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void open() throws Exception {
        fx = new GroupFixture(dir, 1024).open();
        pool = Executors.newFixedThreadPool(WRITERS + READERS + 2);
    }

    @AfterEach
    void close() throws Exception {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        fx.close();
    }

    @Test
    void journalStoreAndEveryReadAgree() throws Exception {
        List<Future<?>> work = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            work.add(pool.submit(() -> write(writer)));
        }
        for (int r = 0; r < READERS; r++) {
            int reader = r;
            work.add(pool.submit(() -> read(reader)));
        }
        long successfulIncrements = 0;
        List<Future<Long>> counters = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            counters.add(pool.submit(this::increment));
        }
        for (Future<?> f : work) {
            f.get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        for (Future<Long> f : counters) {
            successfulIncrements += f.get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        fx.group.flush().get(TIMEOUT_S, TimeUnit.SECONDS);

        MemoryDevice replayed = replayJournal();
        ByteBuffer actual = ByteBuffer.allocate(AREA * BLOCK);
        fx.group.read(VOLUME, 0, actual);
        assertThat(replayed.copy(0, AREA)).isEqualTo(actual.clear());
        assertThat(counterOf(fx.read(COUNTER_LBA, 1))).isEqualTo(successfulIncrements);
        assertThat(counterOf(replayed.copy(COUNTER_LBA, 1))).isEqualTo(successfulIncrements);
        checkReads();
    }

    private Void write(int writer) throws Exception {
        Random random = new Random(writer);
        for (int op = 1; op <= OPS; op++) {
            long lba = random.nextInt(AREA - 8);
            int blocks = 1 + random.nextInt(8);
            long writeId = ((long) (writer + 1) << 32) | op;
            long sequence;
            if (op % 17 == 0) {
                sequence = fx.group.unmap(VOLUME, lba, blocks).get(TIMEOUT_S, TimeUnit.SECONDS);
            } else {
                sequence = fx.group.write(VOLUME, lba, blocksOf(writeId, lba, blocks), op % 5 == 0)
                        .get(TIMEOUT_S, TimeUnit.SECONDS);
            }
            sequenceOf.put(writeId, sequence);
            completed.add(new long[] {ticker.incrementAndGet(), sequence, lba, blocks, op % 17 == 0 ? 1 : 0});
        }
        return null;
    }

    private Void read(int reader) throws Exception {
        Random random = new Random(100 + reader);
        for (int op = 0; op < OPS; op++) {
            long lba = random.nextInt(AREA - 8);
            int blocks = 1 + random.nextInt(8);
            long ticket = ticker.get();
            ByteBuffer data = fx.read(lba, blocks);
            for (int b = 0; b < blocks; b++) {
                long writeId = data.getLong(b * BLOCK);
                assertThat(data.getLong(b * BLOCK + 8)).as("block tag").isEqualTo(writeId == 0 ? 0 : lba + b);
                seen.add(new Seen(ticket, lba + b, writeId));
            }
        }
        return null;
    }

    private long increment() throws Exception {
        long done = 0;
        for (int i = 0; i < 100; i++) {
            ByteBuffer current = fx.read(COUNTER_LBA, 1);
            long value = counterOf(current);
            ByteBuffer next = ByteBuffer.allocate(BLOCK).putLong(0, value + 1);
            if (fx.group.compareAndWrite(VOLUME, COUNTER_LBA, current, next).get(TIMEOUT_S, TimeUnit.SECONDS) < 0) {
                done++;
            }
        }
        return done;
    }

    private void checkReads() {
        List<long[]> byTicket = new ArrayList<>(completed);
        byTicket.sort((a, b) -> Long.compare(a[0], b[0]));
        for (Seen s : seen) {
            long required = 0;
            for (long[] c : byTicket) {
                if (c[0] > s.ticket) {
                    break;
                }
                if (s.block >= c[2] && s.block < c[2] + c[3]) {
                    required = Math.max(required, c[1]);
                }
            }
            long seenSequence = s.writeId == 0 ? 0 : sequenceOf.getOrDefault(s.writeId, Long.MAX_VALUE);
            if (s.writeId == 0 && required > 0) {
                // zeros are right only if an UNMAP at least as new as the required write covers the block
                boolean unmapped = false;
                for (long[] c : byTicket) {
                    unmapped |= c[4] == 1 && c[1] >= required && s.block >= c[2] && s.block < c[2] + c[3];
                }
                assertThat(unmapped).as("block %d read as zeros after seq %d completed", s.block, required).isTrue();
            } else {
                assertThat(seenSequence).as("block %d", s.block).isGreaterThanOrEqualTo(required);
            }
        }
    }

    private MemoryDevice replayJournal() throws Exception {
        MemoryDevice device = new MemoryDevice(BLOCK, 1024);
        RecordApplier applier = new RecordApplier();
        long expected = 1;
        try (JournalReader reader = fx.group.newReader()) {
            JournalReader.Step step;
            while ((step = reader.next()) != JournalReader.Step.END) {
                assertThat(step).isEqualTo(JournalReader.Step.RECORD);
                JournalRecord r = reader.record().checkPayloadFor(BLOCK);
                assertThat(r.sequence()).as("journal order").isEqualTo(expected++);
                applier.apply(device, r.type(), r.miscompare(), r.lba(), r.blockCount(), r.payload());
            }
        }
        assertThat(expected - 1).isEqualTo(fx.group.appendedSequence());
        return device;
    }

    private static ByteBuffer blocksOf(long writeId, long lba, int blocks) {
        ByteBuffer b = ByteBuffer.allocate(blocks * BLOCK);
        for (int i = 0; i < blocks; i++) {
            b.putLong(i * BLOCK, writeId).putLong(i * BLOCK + 8, lba + i);
            for (int j = 16; j < BLOCK; j += 8) {
                b.putLong(i * BLOCK + j, writeId * 31 + j);
            }
        }
        return b;
    }

    private static long counterOf(ByteBuffer block) {
        return block.getLong(0);
    }

    private record Seen(long ticket, long block, long writeId) {}
}
