package io.tidemark.benchmarks.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.appliance.lun.BlockDeviceUnit;
import io.tidemark.appliance.lun.JournaledUnit;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The latency benchmark writes real blocks through the unit kind it names, readable back, and cleans up. */
class JournaledWriteLatencyBenchmarkTest {

    private static final Map<String, Class<?>> UNIT_CLASSES = Map.of(
            "plain", BlockDeviceUnit.class, "journaled", JournaledUnit.class);

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

    @ParameterizedTest(name = "{0} bytes, {1}, direct-io {2}")
    @CsvSource({"4096, plain, false", "4096, journaled, false", "65536, plain, true", "65536, journaled, true",
            "4096, journaled, true"})
    void randomWritesLandThroughTheNamedUnitAndReadBack(int blockBytes, String unit, boolean directIo)
            throws Exception {
        JournaledWriteLatencyBenchmark bench = new JournaledWriteLatencyBenchmark();
        bench.blockBytes = blockBytes;
        bench.unit = unit;
        bench.directIo = directIo;
        bench.open();
        try {
            assertThat(bench.lun).isInstanceOf(UNIT_CLASSES.get(unit));
            assertThat(bench.slots * blockBytes).isEqualTo(JournaledWriteLatencyBenchmark.VOLUME_BYTES);
            bench.seed(42);
            for (int i = 0; i < 50; i++) {
                bench.randomWrite();
            }
            bench.seed(42);
            ByteBuffer read = ByteBuffer.allocateDirect(blockBytes);
            for (int i = 0; i < 50; i++) {
                long lba = bench.nextLba();
                assertThat(lba % (blockBytes / 512)).as("LBA %d is block-aligned", lba).isZero();
                read.clear();
                bench.lun.read(lba, read.duplicate()).join();
                assertThat(read).as("write %d at LBA %d reads back", i, lba).isEqualTo(bench.data.duplicate());
            }
            if (bench.lun instanceof JournaledUnit journaled) {
                assertThat(journaled.group().appendedSequence()).as("every timed write journaled, prefill not")
                        .isEqualTo(50);
            }
        } finally {
            bench.close();
        }
        try (var left = Files.list(tmp)) {
            assertThat(left).as("volume file, journal and their directory removed").isEmpty();
        }
    }

    @Test
    void anUnknownUnitKindIsRefusedNamingTheValue() {
        assertThatThrownBy(() -> JournaledWriteLatencyBenchmark.opener("raw"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raw");
    }
}
