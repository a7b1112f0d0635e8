package io.tidemark.benchmarks.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.iscsi.scsi.ScsiResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SCSI benchmark runs real READ(10)/WRITE(10) that succeed and move the named amount of data. */
class ScsiTargetDeviceBenchmarkTest {

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
    @CsvSource({"4096, null", "65536, null", "4096, file-direct", "65536, file-buffered"})
    void readsAndWritesSucceedWithTheirFullTransferLength(int blockBytes, String backend) throws Exception {
        ScsiTargetDeviceBenchmark bench = new ScsiTargetDeviceBenchmark();
        bench.blockBytes = blockBytes;
        bench.backend = backend;
        bench.setUp();
        ScsiTargetDeviceBenchmark.Initiator initiator = new ScsiTargetDeviceBenchmark.Initiator();
        initiator.allocate(bench);
        try {
            initiator.seed(42);
            for (int i = 0; i < 20; i++) {
                assertThat(bench.write10(initiator).status()).isEqualTo(ScsiResponse.GOOD);
            }
            initiator.seed(42);
            for (int i = 0; i < 20; i++) {
                ScsiResponse read = bench.read10(initiator);
                assertThat(read.dataIn().remaining()).isEqualTo(blockBytes);
                if (!backend.equals("null")) {
                    assertThat(read.dataIn()).as("read %d returns the block written there", i)
                            .isEqualTo(initiator.data.duplicate());
                }
            }
        } finally {
            bench.tearDown();
        }
        try (var left = Files.list(tmp)) {
            assertThat(left).as("volume files removed").isEmpty();
        }
    }

    @ParameterizedTest(name = "lba {0}, {1} blocks")
    @CsvSource({"0, 1", "4294967295, 65535", "305419896, 128"})
    void cdb10CarriesTheLbaAndLengthBigEndian(long lba, int blocks) {
        ByteBuffer cdb = ByteBuffer.wrap(ScsiTargetDeviceBenchmark.cdb10(0x28, lba, blocks));
        assertThat(cdb.get(0)).isEqualTo((byte) 0x28);
        assertThat(Integer.toUnsignedLong(cdb.getInt(2))).isEqualTo(lba);
        assertThat(Short.toUnsignedInt(cdb.getShort(7))).isEqualTo(blocks);
    }
}
