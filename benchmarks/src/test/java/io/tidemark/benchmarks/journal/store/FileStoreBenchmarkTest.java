package io.tidemark.benchmarks.journal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The store benchmark writes and reads real blocks of the size and mode it names, and cleans up. */
class FileStoreBenchmarkTest {

    @TempDir
    Path tmp;
    private String previousDir;

    @BeforeEach
    void pointBenchDirAtTemp() {
        previousDir = System.setProperty("tidemark.bench.dir", tmp.toString());
    }

    @AfterEach
    void restoreBenchDir() {
        if (previousDir == null) {
            System.clearProperty("tidemark.bench.dir");
        } else {
            System.setProperty("tidemark.bench.dir", previousDir);
        }
    }

    @ParameterizedTest(name = "{0} bytes, {1}")
    @CsvSource({"4096, direct", "4096, buffered", "65536, direct", "65536, buffered"})
    void writesLandWhereReadsFindThemInTheNamedIoMode(int blockBytes, String io) throws Exception {
        FileStoreBenchmark bench = new FileStoreBenchmark();
        bench.blockBytes = blockBytes;
        bench.io = io;
        bench.openStore();
        FileStoreBenchmark.Caller caller = new FileStoreBenchmark.Caller();
        caller.allocate(bench);
        try {
            assertThat(bench.store.directIo()).isEqualTo(io.equals("direct"));
            assertThat(bench.slots * blockBytes).isEqualTo(FileStoreBenchmark.FILE_BYTES);

            caller.nextSlot = bench.slots - 1;
            caller.buffer.put(0, (byte) 0x5c);
            bench.sequentialWriteAndFlush(caller);
            assertThat(caller.nextSlot).as("wraps at the end of the file").isZero();

            ByteBuffer written = copyOf(caller.buffer);
            caller.buffer.put(0, (byte) 0);
            caller.nextSlot = bench.slots - 1;
            bench.sequentialRead(caller);
            assertThat(caller.buffer).isEqualTo(written);

            caller.nextSlot = 0;
            bench.sequentialRead(caller);
            assertThat(caller.buffer.get(1)).as("prefilled pattern, byte 1").isEqualTo((byte) (31 + 7));
            for (int i = 0; i < 100; i++) {
                bench.randomRead(caller);
                bench.sequentialWrite(caller);
            }
        } finally {
            bench.closeStore();
        }
        try (var left = Files.list(tmp)) {
            assertThat(left).as("volume file and its directory removed").isEmpty();
        }
    }

    @Test
    void anUnknownIoModeIsRefusedNamingTheValue() {
        assertThatThrownBy(() -> FileStoreBenchmark.ioMode("async"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("async");
    }

    private static ByteBuffer copyOf(ByteBuffer buffer) {
        ByteBuffer copy = ByteBuffer.allocate(buffer.capacity());
        copy.put(0, buffer, 0, buffer.capacity());
        return copy;
    }
}
