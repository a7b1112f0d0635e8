package io.tidemark.appliance.lun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.iscsi.spi.LogicalUnit.LbaStatus;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlockDeviceUnitTest {

    private static final int BLOCK = 512;
    private static final long BLOCKS = 8192;
    private static final long TIMEOUT_S = 60;

    @TempDir
    Path dir;

    private GatedDevice device;
    private BlockDeviceUnit unit;
    private FileDurableState reservations;
    private ExecutorService pool;

    @BeforeEach
    void open() throws IOException {
        device = new GatedDevice(FileStore.create(dir.resolve("v.img"), BLOCKS * BLOCK, StoreOptions.DEFAULTS));
        reservations = new FileDurableState(dir.resolve("v.pr"));
        unit = new BlockDeviceUnit(device, reservations);
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterEach
    void close() throws Exception {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        unit.close();
    }

    @Test
    void compareAndWriteIncrementsFromManyThreadsNeverLoseAnUpdate() throws Exception {
        int threads = 8;
        int incrementsPerThread = 150;
        long lba = 77;
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(pool.submit(() -> {
                ByteBuffer current = ByteBuffer.allocate(BLOCK);
                for (int done = 0; done < incrementsPerThread; ) {
                    unit.read(lba, current).get(TIMEOUT_S, TimeUnit.SECONDS);
                    long value = counterOf(current);
                    long result = unit.compareAndWrite(lba, current, counterBlock(value + 1)).get(TIMEOUT_S, TimeUnit.SECONDS);
                    if (result < 0) {
                        done++;
                    } else {
                        // the counter is a big-endian long repeated: a lost race differs in the first 8 bytes
                        assertThat(result).isBetween(0L, 7L);
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(TIMEOUT_S, TimeUnit.SECONDS);
        }

        ByteBuffer last = ByteBuffer.allocate(BLOCK);
        unit.read(lba, last).get();
        assertThat(last).isEqualTo(counterBlock((long) threads * incrementsPerThread));
    }

    @Test
    void aPlainWriteCannotLandBetweenTheCompareAndTheWriteOfACompareAndWrite() throws Exception {
        long lba = 10;
        ByteBuffer original = filled((byte) 'P');
        ByteBuffer cawData = filled((byte) 'Q');
        ByteBuffer plainData = filled((byte) 'R');
        unit.write(lba, original.duplicate(), false).get();
        CountDownLatch cawComparing = new CountDownLatch(1);
        CountDownLatch plainWriteSubmitted = new CountDownLatch(1);
        CountDownLatch plainWriteReachedDevice = new CountDownLatch(1);
        List<Byte> deviceWrites = Collections.synchronizedList(new ArrayList<>());
        Thread[] cawThread = new Thread[1];
        device.beforeRead = (block, buffer) -> {
            if (Thread.currentThread() == cawThread[0]) {
                cawComparing.countDown();
                await(plainWriteSubmitted);
                // if the lock does not hold the plain write back, it reaches the device within this window
                try {
                    plainWriteReachedDevice.await(300, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        device.beforeWrite = (block, buffer) -> {
            deviceWrites.add(buffer.get(buffer.position()));
            if (buffer.get(buffer.position()) == 'R') {
                plainWriteReachedDevice.countDown();
            }
        };

        Future<Long> caw = pool.submit(() -> {
            cawThread[0] = Thread.currentThread();
            return unit.compareAndWrite(lba, original, cawData).get(TIMEOUT_S, TimeUnit.SECONDS);
        });
        await(cawComparing);
        Future<?> plain = pool.submit(() -> {
            plainWriteSubmitted.countDown();
            return unit.write(lba, plainData, false).get(TIMEOUT_S, TimeUnit.SECONDS);
        });

        assertThat(caw.get(TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo(-1L);
        plain.get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(deviceWrites).containsExactly((byte) 'Q', (byte) 'R');
        ByteBuffer back = ByteBuffer.allocate(BLOCK);
        unit.read(lba, back).get();
        assertThat(back).isEqualTo(plainData);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 511, 512, 1023})
    void aMiscompareReportsTheFirstDifferingByteAndWritesNothing(int differingByte) throws Exception {
        ByteBuffer stored = ByteBuffer.allocate(2 * BLOCK);
        for (int i = 0; i < stored.capacity(); i++) {
            stored.put(i, (byte) i);
        }
        unit.write(100, stored, false).get();
        ByteBuffer compare = ByteBuffer.allocate(2 * BLOCK).put(stored.duplicate()).flip();
        compare.put(differingByte, (byte) (compare.get(differingByte) + 1));

        long result = unit.compareAndWrite(100, compare, filledBlocks(2, (byte) 7)).get();

        assertThat(result).isEqualTo(differingByte);
        ByteBuffer back = ByteBuffer.allocate(2 * BLOCK);
        unit.read(100, back).get();
        assertThat(back).isEqualTo(stored);
        assertThat(compare.position()).isZero();
    }

    @Test
    void aMatchingCompareWritesTheDataAndReturnsMinusOne() throws Exception {
        unit.write(5, filled((byte) 1), false).get();

        assertThat(unit.compareAndWrite(5, filled((byte) 1), filled((byte) 2)).get()).isEqualTo(-1L);

        ByteBuffer back = ByteBuffer.allocate(BLOCK);
        unit.read(5, back).get();
        assertThat(back).isEqualTo(filled((byte) 2));
    }

    @Test
    void compareAndWriteRefusesDataOfADifferentLength() {
        CompletableFuture<Long> result = unit.compareAndWrite(0, ByteBuffer.allocate(BLOCK), ByteBuffer.allocate(2 * BLOCK));

        assertThatThrownBy(result::get).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("data length: 1024 (expected: 512");
    }

    @Test
    void readsSeeEveryCompletedWriteFromAnotherThread() throws Exception {
        int rounds = 500;
        BlockingQueue<long[]> written = new ArrayBlockingQueue<>(rounds);
        Future<?> writer = pool.submit(() -> {
            ByteBuffer block = ByteBuffer.allocate(BLOCK);
            for (int i = 1; i <= rounds; i++) {
                long lba = (i * 37L) % 64;
                block.putLong(0, i);
                unit.write(lba, block, false).get(TIMEOUT_S, TimeUnit.SECONDS);
                written.put(new long[] {lba, i});
            }
            return null;
        });
        Future<?> reader = pool.submit(() -> {
            ByteBuffer block = ByteBuffer.allocate(BLOCK);
            for (int i = 1; i <= rounds; i++) {
                long[] write = written.poll(TIMEOUT_S, TimeUnit.SECONDS);
                assertThat(write).isNotNull();
                unit.read(write[0], block).get(TIMEOUT_S, TimeUnit.SECONDS);
                assertThat(block.getLong(0)).as("round %d", i).isGreaterThanOrEqualTo(write[1]);
            }
            return null;
        });

        writer.get(TIMEOUT_S, TimeUnit.SECONDS);
        reader.get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    @Test
    void writeSameWithUnmapAndAZeroBlockDeallocatesTheRange() throws Exception {
        unit.write(0, filledBlocks(2048, (byte) 5), true).get();
        assertThat(unit.lbaStatus(0)).isEqualTo(new LbaStatus(true, 2048));

        unit.writeSame(512, 1024, ByteBuffer.allocate(BLOCK), true).get();

        assertThat(unit.lbaStatus(0)).isEqualTo(new LbaStatus(true, 512));
        assertThat(unit.lbaStatus(512)).isEqualTo(new LbaStatus(false, 1024));
        ByteBuffer back = ByteBuffer.allocate(1024 * BLOCK);
        unit.read(512, back).get();
        assertThat(back).isEqualTo(ByteBuffer.allocate(1024 * BLOCK));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 511, 512, 513, 1500})
    void writeSameRepeatsTheBlockOverTheWholeRange(long blocks) throws Exception {
        ByteBuffer block = ByteBuffer.allocate(BLOCK);
        for (int i = 0; i < BLOCK; i++) {
            block.put(i, (byte) (i ^ 0x5a));
        }

        unit.writeSame(3, blocks, block, false).get();

        ByteBuffer back = ByteBuffer.allocate((int) (blocks + 1) * BLOCK);
        unit.read(3, back).get();
        for (int b = 0; b < blocks; b++) {
            assertThat(back.slice(b * BLOCK, BLOCK)).as("block %d", b).isEqualTo(block);
        }
        assertThat(back.slice((int) blocks * BLOCK, BLOCK)).isEqualTo(ByteBuffer.allocate(BLOCK));
        assertThat(block.position()).isZero();
    }

    @Test
    void writeSameWithUnmapButANonZeroBlockWritesIt() throws Exception {
        unit.writeSame(0, 16, filled((byte) 9), true).get();

        assertThat(unit.lbaStatus(0).mapped()).isTrue();
        ByteBuffer back = ByteBuffer.allocate(BLOCK);
        unit.read(15, back).get();
        assertThat(back).isEqualTo(filled((byte) 9));
    }

    @Test
    void unmapReadsBackZerosAndReportsTheRangeUnmapped() throws Exception {
        unit.write(0, filledBlocks(64, (byte) 3), false).get();

        unit.unmap(8, 16).get();

        ByteBuffer back = ByteBuffer.allocate(64 * BLOCK);
        unit.read(0, back).get();
        assertThat(back.slice(8 * BLOCK, 16 * BLOCK)).isEqualTo(ByteBuffer.allocate(16 * BLOCK));
        assertThat(back.slice(0, 8 * BLOCK)).isEqualTo(filledBlocks(8, (byte) 3));
        assertThat(unit.lbaStatus(8)).isEqualTo(new LbaStatus(false, 16));
    }

    @Test
    void failuresCompleteTheFutureExceptionally() {
        assertThat(unit.write(BLOCKS, ByteBuffer.allocate(BLOCK), false)).isCompletedExceptionally();
        assertThat(unit.read(-1, ByteBuffer.allocate(BLOCK))).isCompletedExceptionally();
        assertThat(unit.unmap(BLOCKS - 1, 2)).isCompletedExceptionally();
        assertThat(unit.writeSame(0, 1, ByteBuffer.allocate(100), false)).isCompletedExceptionally();
        assertThat(unit.compareAndWrite(BLOCKS, ByteBuffer.allocate(BLOCK), ByteBuffer.allocate(BLOCK)))
                .isCompletedExceptionally();
    }

    @Test
    void fuaWritesAndFlushComplete() throws Exception {
        unit.write(1, filled((byte) 4), true).get();
        unit.flush().get();

        ByteBuffer back = ByteBuffer.allocate(BLOCK);
        unit.read(1, back).get();
        assertThat(back).isEqualTo(filled((byte) 4));
    }

    @Test
    void blockCountFollowsAResizeOfTheDevice() throws Exception {
        assertThat(unit.blockSize()).isEqualTo(512);
        assertThat(unit.blockCount()).isEqualTo(BLOCKS);

        unit.device().resize(BLOCKS * 2);

        assertThat(unit.blockCount()).isEqualTo(BLOCKS * 2);
        unit.write(BLOCKS * 2 - 1, filled((byte) 1), false).get();
    }

    @Test
    void openFileServesAnExistingVolumeAndGrowsIt() throws Exception {
        Path image = dir.resolve("existing.img");
        FileStore.create(image, 1 << 20, StoreOptions.DEFAULTS).close();
        try (BlockDeviceUnit opened = BlockDeviceUnit.openFile(image, dir.resolve("existing.pr"), true)) {
            opened.write(0, filled((byte) 8), false).get();
            opened.grow(2 << 20);

            assertThat(opened.blockCount()).isEqualTo(4096);
            assertThat(opened.reservationState().load()).isEmpty();
            assertThatThrownBy(() -> opened.grow(1000)).hasMessageContaining("new size: 1000");
            assertThatThrownBy(() -> opened.grow(1 << 20)).hasMessageContaining("shrinking is refused");
        }
        assertThat(java.nio.file.Files.size(image)).isEqualTo(2 << 20);
    }

    @Test
    void reservationStateIsTheOneGiven() {
        assertThat(unit.reservationState()).isSameAs(reservations);
    }

    @Test
    void refusesADeviceWhoseBlocksAreNot512Bytes() throws IOException {
        try (FileStore big = FileStore.create(dir.resolve("4k.img"), 1 << 20, new StoreOptions(4096, true))) {
            assertThatThrownBy(() -> new BlockDeviceUnit(big, reservations))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("device block size: 4096 (expected: 512)");
        }
    }

    private static long counterOf(ByteBuffer block) {
        return block.getLong(0);
    }

    private static ByteBuffer counterBlock(long value) {
        ByteBuffer block = ByteBuffer.allocate(BLOCK);
        for (int i = 0; i < BLOCK; i += Long.BYTES) {
            block.putLong(i, value);
        }
        return block;
    }

    private static ByteBuffer filled(byte value) {
        return filledBlocks(1, value);
    }

    private static ByteBuffer filledBlocks(int blocks, byte value) {
        ByteBuffer buffer = ByteBuffer.allocate(blocks * BLOCK);
        for (int i = 0; i < buffer.capacity(); i++) {
            buffer.put(i, value);
        }
        return buffer;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
