package io.tidemark.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NativeFileTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} bytes at {1}, direct={2}")
    @CsvSource({
        "512, 0, false", "512, 512, false", "4096, 8192, false", "65536, 4096, false", "1048576, 0, false",
        "512, 0, true", "512, 512, true", "4096, 8192, true", "65536, 4096, true", "1048576, 0, true"})
    void writesAndReadsBackTheSameBytes(int length, long offset, boolean direct) throws IOException {
        ByteBuffer data = randomAligned(length, 42);
        ByteBuffer back = AlignedBuffers.allocate(length);
        try (NativeFile file = open(dir.resolve("f.img"), direct)) {
            file.write(data, offset);
            int read = file.read(back, offset);

            assertThat(read).isEqualTo(length);
            assertThat(back).isEqualTo(data);
            assertThat(data.position()).isZero();
            assertThat(back.position()).isZero();
            assertThat(file.size()).isEqualTo(offset + length);
        }
    }

    @Test
    void directIoRejectsMisalignedOffsetNamingCallPathAndErrno() throws IOException {
        Path path = dir.resolve("direct.img");
        ByteBuffer block = AlignedBuffers.allocate(512);
        try (NativeFile file = open(path, true)) {
            assertThatThrownBy(() -> file.write(block, 1))
                    .isInstanceOfSatisfying(NativeIoException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                        assertThat(e.call()).isEqualTo("pwrite(offset=1, length=512)");
                        assertThat(e.path()).isEqualTo(path.toString());
                    })
                    .hasMessageContaining("EINVAL")
                    .hasMessageContaining("Invalid argument")
                    .hasMessageContaining(path.toString());
            file.write(block, 0);
            assertThatThrownBy(() -> file.read(block.limit(100), 0))
                    .isInstanceOfSatisfying(NativeIoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                    .hasMessageContaining("pread(offset=0, length=100)");
        }
    }

    @Test
    void openingAMissingFileNamesThePathAndENOENT() {
        Path missing = dir.resolve("nope").resolve("x.img");

        assertThatThrownBy(() -> NativeFile.open(missing))
                .isInstanceOfSatisfying(NativeIoException.class,
                        e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
                .hasMessageContaining("open(")
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("No such file or directory");
    }

    @Test
    void exclusiveCreateRefusesAnExistingFileWithEEXIST() throws IOException {
        Path path = dir.resolve("exists.img");
        Files.write(path, new byte[512]);

        assertThatThrownBy(() -> NativeFile.open(path, OpenFlag.CREATE, OpenFlag.EXCLUSIVE))
                .isInstanceOfSatisfying(NativeIoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
    }

    @Test
    void readStopsAtEndOfFile() throws IOException {
        try (NativeFile file = open(dir.resolve("short.img"), false)) {
            file.write(randomAligned(1000, 1), 0);

            assertThat(file.read(AlignedBuffers.allocate(4096), 0)).isEqualTo(1000);
            assertThat(file.read(AlignedBuffers.allocate(4096), 5000)).isZero();
        }
    }

    @Test
    void punchHoleReadsBackZerosKeepsTheSizeAndLeavesAHole() throws IOException {
        try (NativeFile file = open(dir.resolve("sparse.img"), false)) {
            file.write(randomAligned(MIB, 7), 0);
            file.fdatasync();

            file.punchHole(256 * 1024, 128 * 1024);

            ByteBuffer back = AlignedBuffers.allocate(128 * 1024);
            file.read(back, 256 * 1024);
            assertThat(back).isEqualTo(ByteBuffer.allocate(128 * 1024));
            assertThat(file.size()).isEqualTo(MIB);
            assertThat(file.seekHole(0)).isEqualTo(256 * 1024);
            assertThat(file.seekData(256 * 1024)).isEqualTo(384 * 1024);
        }
    }

    @Test
    void seekDataAndHoleDescribeASparseFile() throws IOException {
        try (NativeFile file = open(dir.resolve("holes.img"), false)) {
            file.truncate(4L * MIB);
            file.write(randomAligned(64 * 1024, 3), MIB);
            file.fdatasync();

            assertThat(file.seekData(0)).isEqualTo(MIB);
            assertThat(file.seekHole(MIB)).isEqualTo(MIB + 64 * 1024);
            assertThat(file.seekData(2L * MIB)).isEqualTo(-1);
            assertThat(file.seekHole(0)).isZero();
            assertThat(file.seekHole(4L * MIB)).isEqualTo(-1);
        }
    }

    @Test
    void truncateGrowsTheFileWithoutAllocatingIt() throws IOException {
        Path path = dir.resolve("grow.img");
        try (NativeFile file = open(path, false)) {
            file.truncate(1L << 30);

            assertThat(file.size()).isEqualTo(1L << 30);
            assertThat(file.status().size()).isEqualTo(1L << 30);
            assertThat(file.seekData(0)).isEqualTo(-1);
        }
    }

    @Test
    void statusReportsARegularFileAndItsDirectIoAlignment() throws IOException {
        try (NativeFile file = open(dir.resolve("stat.img"), true)) {
            FileStatus status = file.status();

            assertThat(status.type()).isEqualTo(FileStatus.FileType.REGULAR);
            assertThat(status.ioBlockSize()).isPositive();
            if (status.directIoReported()) {
                assertThat(status.directIoOffsetAlign()).isBetween(1, 4096);
                assertThat(status.directIoMemoryAlign()).isBetween(1, 4096);
            }
        }
    }

    @Test
    void directoryOpenedReadOnlyCanBeFsyncedAndSaysItIsADirectory() throws IOException {
        try (NativeFile file = NativeFile.open(dir, OpenFlag.READ_ONLY)) {
            file.fsync();
            assertThat(file.status().type()).isEqualTo(FileStatus.FileType.DIRECTORY);
        }
    }

    @Test
    void blockDeviceIoctlsOnARegularFileFailWithENOTTY() throws IOException {
        try (NativeFile file = open(dir.resolve("regular.img"), false)) {
            file.truncate(MIB);

            assertThatThrownBy(file::blockDeviceSize)
                    .isInstanceOfSatisfying(NativeIoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOTTY))
                    .hasMessageContaining("ioctl(BLKGETSIZE64)");
            assertThatThrownBy(() -> file.discard(0, 4096))
                    .isInstanceOfSatisfying(NativeIoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOTTY))
                    .hasMessageContaining("ioctl(BLKDISCARD, offset=0, length=4096)");
            assertThatThrownBy(() -> file.zeroOut(0, 4096))
                    .isInstanceOfSatisfying(NativeIoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOTTY))
                    .hasMessageContaining("ioctl(BLKZEROOUT");
            assertThatThrownBy(file::blockDeviceSectorSize)
                    .isInstanceOfSatisfying(NativeIoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOTTY));
        }
    }

    @Test
    void closeIsIdempotentAndLaterUseFailsWithEBADF() throws IOException {
        NativeFile file = open(dir.resolve("closed.img"), false);
        file.close();
        file.close();

        assertThatThrownBy(() -> file.read(AlignedBuffers.allocate(512), 0))
                .isInstanceOfSatisfying(NativeIoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
    }

    @Test
    void writesRacingACloseNeverReachAFileThatReusedTheDescriptor() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            ByteBuffer intruder = AlignedBuffers.allocate(4096);
            intruder.put(0, (byte) 0x66);
            for (int round = 0; round < 50; round++) {
                NativeFile racing = open(dir.resolve("racing-" + round + ".img"), false);
                CountDownLatch started = new CountDownLatch(2);
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    writers.add(pool.submit(() -> {
                        started.countDown();
                        try {
                            for (;;) {
                                racing.write(intruder, 0);
                            }
                        } catch (NativeIoException e) {
                            assertThat(e.errno()).isEqualTo(Errno.EBADF);
                        }
                        return null;
                    }));
                }
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                racing.close();
                try (NativeFile victim = open(dir.resolve("victim-" + round + ".img"), false)) {
                    for (Future<?> writer : writers) {
                        writer.get(10, TimeUnit.SECONDS);
                    }
                    assertThat(victim.size()).as("round %d", round).isZero();
                }
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void readOnlyFileRefusesWritesWithEBADF() throws IOException {
        Path path = dir.resolve("ro.img");
        Files.write(path, new byte[4096]);
        try (NativeFile file = NativeFile.open(path, OpenFlag.READ_ONLY)) {
            assertThatThrownBy(() -> file.write(AlignedBuffers.allocate(512), 0))
                    .isInstanceOfSatisfying(NativeIoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
        }
    }

    @Test
    void threadsWritingDistinctOffsetsAllLand() throws Exception {
        int threads = 4;
        int blocksPerThread = 64;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (NativeFile file = open(dir.resolve("mt.img"), true)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    ByteBuffer block = AlignedBuffers.allocate(4096);
                    for (int i = 0; i < blocksPerThread; i++) {
                        long index = (long) i * threads + thread;
                        block.putLong(0, index);
                        file.write(block, index * 4096);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            ByteBuffer block = AlignedBuffers.allocate(4096);
            for (long index = 0; index < (long) threads * blocksPerThread; index++) {
                file.read(block, index * 4096);
                assertThat(block.getLong(0)).as("block %d", index).isEqualTo(index);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static NativeFile open(Path path, boolean direct) throws NativeIoException {
        return direct ? NativeFile.open(path, OpenFlag.CREATE, OpenFlag.DIRECT)
                : NativeFile.open(path, OpenFlag.CREATE);
    }

    private static ByteBuffer randomAligned(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return AlignedBuffers.allocate(length).put(0, bytes);
    }
}
