package io.tidemark.journal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.journal.store.BlockDevice.Extent;
import io.tidemark.nativeio.AlignedBuffers;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FileStoreTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    enum BufferKind { HEAP, DIRECT_ALIGNED, DIRECT_MISALIGNED }

    static List<Arguments> modesKindsAndLengths() {
        List<Arguments> all = new ArrayList<>();
        for (boolean direct : new boolean[] {true, false}) {
            for (BufferKind kind : BufferKind.values()) {
                for (int length : new int[] {512, 4096, 65536, (int) MIB + 512 * 3}) {
                    all.add(Arguments.of(direct, kind, length));
                }
            }
        }
        return all;
    }

    @ParameterizedTest(name = "direct={0} {1} {2} bytes")
    @MethodSource("modesKindsAndLengths")
    void readsBackWhatWasWrittenFromAnyKindOfBuffer(boolean direct, BufferKind kind, int length) throws IOException {
        try (FileStore store = FileStore.create(dir.resolve("v.img"), 4 * MIB, StoreOptions.DEFAULTS.withDirectIo(direct))) {
            ByteBuffer data = buffer(kind, length);
            fillRandom(data, length);
            ByteBuffer back = buffer(kind, length);

            store.write(7, data);
            store.read(7, back);

            assertThat(back).isEqualTo(data);
            assertThat(data.remaining()).isEqualTo(length);
            assertThat(back.remaining()).isEqualTo(length);
        }
    }

    @Test
    void directModeIsChosenOnThisFileSystemAndBufferedWhenForced() throws IOException {
        try (FileStore direct = FileStore.create(dir.resolve("d.img"), MIB, StoreOptions.DEFAULTS);
                FileStore buffered = FileStore.create(dir.resolve("b.img"), MIB, StoreOptions.DEFAULTS.withDirectIo(false))) {
            assertThat(direct.directIo()).isTrue();
            assertThat(buffered.directIo()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aNewVolumeReadsZerosAndIsUnmapped(boolean direct) throws IOException {
        try (FileStore store = FileStore.create(dir.resolve("v.img"), 8 * MIB, StoreOptions.DEFAULTS.withDirectIo(direct))) {
            ByteBuffer back = ByteBuffer.allocate(64 * 1024);
            back.put(0, (byte) 1);

            store.read(100, back);

            assertThat(back).isEqualTo(ByteBuffer.allocate(64 * 1024));
            assertThat(store.blockCount()).isEqualTo(8 * MIB / 512);
            assertThat(store.mappingStatus(0)).isEqualTo(new Extent(false, 8 * MIB / 512));
            assertThat(store.mappingStatus(16383)).isEqualTo(new Extent(false, 1));
            assertThat(Files.size(dir.resolve("v.img"))).isEqualTo(8 * MIB);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void unmapPunchesAHoleThatReadsAsZerosAndShowsInTheMappingStatus(boolean direct) throws IOException {
        try (FileStore store = FileStore.create(dir.resolve("v.img"), 4 * MIB, StoreOptions.DEFAULTS.withDirectIo(direct))) {
            ByteBuffer data = AlignedBuffers.allocate((int) MIB);
            fillRandom(data, (int) MIB);
            store.write(0, data);
            store.flush();

            store.unmap(256, 128);

            ByteBuffer back = AlignedBuffers.allocate(128 * 512);
            store.read(256, back);
            assertThat(back).isEqualTo(ByteBuffer.allocate(128 * 512));
            assertThat(store.mappingStatus(0)).isEqualTo(new Extent(true, 256));
            assertThat(store.mappingStatus(256)).isEqualTo(new Extent(false, 128));
            assertThat(store.mappingStatus(384)).isEqualTo(new Extent(true, 2048 - 384));
            assertThat(store.mappingStatus(2048)).isEqualTo(new Extent(false, 8192 - 2048));
            assertThat(store.blockCount()).isEqualTo(8192);
        }
    }

    @Test
    void unmapOfPartOfAFileSystemBlockStillReadsZeros() throws IOException {
        try (FileStore store = FileStore.create(dir.resolve("v.img"), MIB, StoreOptions.DEFAULTS)) {
            ByteBuffer data = AlignedBuffers.allocate(8192);
            fillRandom(data, 8192);
            store.write(0, data);

            store.unmap(3, 2);

            ByteBuffer back = AlignedBuffers.allocate(8192);
            store.read(0, back);
            assertThat(back.slice(3 * 512, 1024)).isEqualTo(ByteBuffer.allocate(1024));
            assertThat(back.slice(0, 3 * 512)).isEqualTo(data.slice(0, 3 * 512));
            assertThat(back.slice(5 * 512, 8192 - 5 * 512)).isEqualTo(data.slice(5 * 512, 8192 - 5 * 512));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void withoutHolePunchingUnmapStillReadsBackZeros(boolean direct) throws IOException {
        try (FileStore store = FileStore.create(dir.resolve("v.img"), 4 * MIB, StoreOptions.DEFAULTS.withDirectIo(direct))) {
            ByteBuffer data = AlignedBuffers.allocate((int) (3 * MIB));
            fillRandom(data, (int) (3 * MIB));
            store.write(0, data);
            store.disableHolePunching();

            store.unmap(1, 2 * 2048 + 5);

            ByteBuffer back = AlignedBuffers.allocate((int) (3 * MIB));
            store.read(0, back);
            int zeroed = (2 * 2048 + 5) * 512;
            assertThat(back.slice(512, zeroed)).isEqualTo(ByteBuffer.allocate(zeroed));
            assertThat(back.slice(0, 512)).isEqualTo(data.slice(0, 512));
            assertThat(back.slice(512 + zeroed, 4096)).isEqualTo(data.slice(512 + zeroed, 4096));
        }
    }

    @Test
    void writesSurviveReopening() throws IOException {
        Path path = dir.resolve("v.img");
        ByteBuffer data = AlignedBuffers.allocate(4096);
        fillRandom(data, 4096);
        try (FileStore store = FileStore.create(path, MIB, StoreOptions.DEFAULTS)) {
            store.write(1000, data);
            store.flush();
        }
        try (FileStore store = FileStore.open(path, StoreOptions.DEFAULTS)) {
            ByteBuffer back = AlignedBuffers.allocate(4096);
            store.read(1000, back);
            assertThat(back).isEqualTo(data);
        }
    }

    @Test
    void resizeGrowsWithZerosAndPersistsButRefusesToShrink() throws IOException {
        Path path = dir.resolve("v.img");
        try (FileStore store = FileStore.create(path, MIB, StoreOptions.DEFAULTS)) {
            store.resize(4096);

            assertThat(store.blockCount()).isEqualTo(4096);
            ByteBuffer back = ByteBuffer.allocate(512);
            store.read(4095, back);
            assertThat(back).isEqualTo(ByteBuffer.allocate(512));
            assertThatThrownBy(() -> store.resize(4095))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("4095")
                    .hasMessageContaining(">= 4096");
        }
        assertThat(Files.size(path)).isEqualTo(4096 * 512);
        try (FileStore store = FileStore.open(path, StoreOptions.DEFAULTS)) {
            assertThat(store.blockCount()).isEqualTo(4096);
        }
    }

    @Test
    void createRefusesAnExistingFileAndSizesThatAreNotWholeBlocks() throws IOException {
        Path path = dir.resolve("v.img");
        FileStore.create(path, MIB, StoreOptions.DEFAULTS).close();

        assertThatThrownBy(() -> FileStore.create(path, MIB, StoreOptions.DEFAULTS))
                .hasMessageContaining("EEXIST");
        assertThatThrownBy(() -> FileStore.create(dir.resolve("odd.img"), 1000, StoreOptions.DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1000");
        assertThat(dir.resolve("odd.img")).doesNotExist();
    }

    @Test
    void openRefusesAFileThatIsNotWholeBlocks() throws IOException {
        Path path = dir.resolve("odd.img");
        Files.write(path, new byte[1000]);

        assertThatThrownBy(() -> FileStore.open(path, StoreOptions.DEFAULTS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1000")
                .hasMessageContaining("512");
    }

    @Test
    void rejectsRangesBeyondTheEndAndPartialBlocks() throws IOException {
        try (FileStore store = FileStore.create(dir.resolve("v.img"), 64 * 512, StoreOptions.DEFAULTS)) {
            assertThatThrownBy(() -> store.write(63, ByteBuffer.allocate(1024)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("blocks 63+2")
                    .hasMessageContaining("0..64");
            assertThatThrownBy(() -> store.read(-1, ByteBuffer.allocate(512)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.read(0, ByteBuffer.allocate(100)))
                    .hasMessageContaining("buffer length: 100");
            assertThatThrownBy(() -> store.unmap(60, 5)).hasMessageContaining("blocks 60+5");
            assertThatThrownBy(() -> store.mappingStatus(64)).hasMessageContaining("block: 64");
            store.write(63, ByteBuffer.allocate(512));
        }
    }

    @Test
    void threadsWritingTheirOwnBlocksAllLand() throws Exception {
        int threads = 4;
        int writesPerThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (FileStore store = FileStore.create(dir.resolve("v.img"), 4 * MIB, StoreOptions.DEFAULTS)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    ByteBuffer block = thread % 2 == 0 ? AlignedBuffers.allocate(512) : ByteBuffer.allocate(512);
                    for (int i = 0; i < writesPerThread; i++) {
                        long lba = (long) i * threads + thread;
                        block.putLong(0, lba);
                        store.write(lba, block);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            ByteBuffer back = ByteBuffer.allocate(512);
            for (long lba = 0; lba < (long) threads * writesPerThread; lba++) {
                store.read(lba, back);
                assertThat(back.getLong(0)).as("block %d", lba).isEqualTo(lba);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theHotPathAllocatesNothingPerIo(boolean heap) throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (FileStore store = FileStore.create(dir.resolve("v.img"), 4 * MIB, StoreOptions.DEFAULTS)) {
            ByteBuffer buffer = heap ? ByteBuffer.allocate(4096) : AlignedBuffers.allocate(4096);
            for (int i = 0; i < 2000; i++) {
                store.write(i % 1000 * 8, buffer);
                store.read(i % 1000 * 8, buffer);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                store.write(i % 1000 * 8, buffer);
                store.read(i % 1000 * 8, buffer);
            }
            long perIo = (threads.getCurrentThreadAllocatedBytes() - before) / 20_000;

            assertThat(perIo).as("bytes allocated per I/O").isLessThan(8);
        }
    }

    private static ByteBuffer buffer(BufferKind kind, int length) {
        return switch (kind) {
            case HEAP -> ByteBuffer.allocate(length + 16).position(16).slice();
            case DIRECT_ALIGNED -> AlignedBuffers.allocate(length);
            case DIRECT_MISALIGNED -> AlignedBuffers.allocate(length + 8).position(8).slice();
        };
    }

    private static void fillRandom(ByteBuffer buffer, int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        buffer.put(buffer.position(), bytes);
    }
}
