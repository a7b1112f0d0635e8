package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.BLOCKS;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.filled;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AtomicWriteTest {

    private final ScsiFixture f = new ScsiFixture();

    static byte[] caw(long lba, int blocks) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x89;
        Cdb.putLong(c, 2, lba);
        c[13] = (byte) blocks;
        return c;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, BLOCKS - 1})
    void shouldWriteWhenTheBlockMatches(long lba) {
        f.writeBlocks(lba, filled(512, 'A'));
        assertGood(f.run(caw(lba, 1), concat(filled(512, 'A'), filled(512, 'B'))));
        assertThat(f.readBlocks(lba, 1)).containsOnly('B');
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, 511})
    void shouldReportTheOffsetOfTheFirstDifferenceAndWriteNothing(int offset) {
        f.writeBlocks(0, filled(512, 'A'));
        byte[] compare = filled(512, 'A');
        compare[offset] = 'Z';
        ScsiResponse r = f.run(caw(0, 1), concat(compare, filled(512, 'B')));
        assertSense(r, SenseCode.MISCOMPARE_DURING_VERIFY);
        assertThat(Cdb.u32(r.sense(), 3)).isEqualTo(offset);
        assertThat(f.readBlocks(0, 1)).containsOnly('A');
    }

    @Test
    void shouldRejectMoreBlocksThanTheMaximumCompareAndWriteLength() {
        assertSense(f.run(caw(0, 2), new byte[2048]), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldRejectADataOutThatIsNotTwiceTheBlocks() {
        assertSense(f.run(caw(0, 1), new byte[2048]), SenseCode.INVALID_FIELD_IN_CDB);
        assertSense(f.run(caw(0, 1), new byte[512]), SenseCode.INVALID_FIELD_IN_CDB);
        assertSense(f.run(caw(0, 0), new byte[512]), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldAnswerLbaOutOfRangeBeyondTheEnd() {
        assertSense(f.run(caw(BLOCKS, 1), new byte[1024]), SenseCode.LBA_OUT_OF_RANGE);
    }

    @Test
    void shouldLetExactlyOneOfManyConcurrentCompareAndWritesWin() throws Exception {
        f.writeBlocks(5, filled(512, 0));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<ScsiResponse>> all = new ArrayList<>();
            for (int i = 1; i <= 16; i++) {
                byte[] payload = concat(filled(512, 0), filled(512, i));
                ScsiCommand c = new ScsiCommand(f.nexus, i, 0, caw(5, 1), TaskAttribute.SIMPLE, 1024,
                        ByteBuffer.wrap(payload));
                all.add(CompletableFuture.supplyAsync(() -> f.device.execute(c).join(), pool));
            }
            long good = 0;
            for (CompletableFuture<ScsiResponse> r : all) {
                if (r.get(10, TimeUnit.SECONDS).status() == ScsiResponse.GOOD) {
                    good++;
                }
            }
            assertThat(good).isEqualTo(1);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void shouldOrTheDataIntoTheBlocks() {
        f.writeBlocks(0, filled(1024, 0xA0));
        byte[] or = new byte[16];
        or[0] = (byte) 0x8B;
        Cdb.putInt(or, 10, 2);
        assertGood(f.run(or, filled(1024, 0x05)));
        assertThat(f.readBlocks(0, 2)).containsOnly(0xA5);
        or[1] = 0x20;
        assertSense(f.run(or, filled(1024, 0x05)), SenseCode.INVALID_FIELD_IN_CDB);
    }
}
