package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.BLOCKS;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.cdb;
import static io.tidemark.iscsi.scsi.ScsiFixture.data;
import static io.tidemark.iscsi.scsi.ScsiFixture.filled;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class BlockIoTest {

    private final ScsiFixture f = new ScsiFixture();

    /** A READ or WRITE CDB of the given size (6, 10, 12, 16). */
    static byte[] io(boolean write, int size, long lba, long blocks) {
        byte[] c = new byte[size];
        switch (size) {
            case 6 -> {
                c[0] = (byte) (write ? 0x0A : 0x08);
                c[1] = (byte) ((lba >> 16) & 0x1f);
                Cdb.putShort(c, 2, (int) lba);
                c[4] = (byte) blocks;
            }
            case 10 -> {
                c[0] = (byte) (write ? 0x2A : 0x28);
                Cdb.putInt(c, 2, (int) lba);
                Cdb.putShort(c, 7, (int) blocks);
            }
            case 12 -> {
                c[0] = (byte) (write ? 0xAA : 0xA8);
                Cdb.putInt(c, 2, (int) lba);
                Cdb.putInt(c, 6, (int) blocks);
            }
            default -> {
                c[0] = (byte) (write ? 0x8A : 0x88);
                Cdb.putLong(c, 2, lba);
                Cdb.putInt(c, 10, (int) blocks);
            }
        }
        return c;
    }

    static Stream<Arguments> inRange() {
        return Stream.of(6, 10, 12, 16).flatMap(size -> Stream.of(
                Arguments.of(size, 0L, 1), Arguments.of(size, 0L, 255), Arguments.of(size, BLOCKS - 1, 1),
                Arguments.of(size, BLOCKS - 8, 8), Arguments.of(size, 17L, 3)));
    }

    @ParameterizedTest(name = "CDB {0}: LBA {1}, {2} blocks")
    @MethodSource("inRange")
    void shouldReadBackWhatWasWritten(int size, long lba, int blocks) {
        byte[] payload = new byte[blocks * 512];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + lba);
        }
        assertGood(f.run(f.nexus, 0, io(true, size, lba, blocks), payload.length, payload));
        ScsiResponse r = f.run(f.nexus, 0, io(false, size, lba, blocks), payload.length, new byte[0]);
        assertGood(r);
        assertThat(data(r)).isEqualTo(payload);
    }

    static Stream<Arguments> beyondEnd() {
        return Stream.of(10, 12, 16).flatMap(size -> Stream.of(
                Arguments.of(size, BLOCKS, 1), Arguments.of(size, BLOCKS - 1, 2), Arguments.of(size, BLOCKS + 1, 0),
                Arguments.of(size, 0xFFFFFFFFL, 1), Arguments.of(size, 0x80000000L, 0)));
    }

    @ParameterizedTest(name = "CDB {0}: LBA {1}, {2} blocks")
    @MethodSource("beyondEnd")
    void shouldAnswerLbaOutOfRangeBeyondTheEnd(int size, long lba, int blocks) {
        assertSense(f.run(f.nexus, 0, io(false, size, lba, blocks), blocks * 512, new byte[0]),
                SenseCode.LBA_OUT_OF_RANGE);
        assertSense(f.run(f.nexus, 0, io(true, size, lba, blocks), blocks * 512, new byte[blocks * 512]),
                SenseCode.LBA_OUT_OF_RANGE);
    }

    @Test
    void shouldTreatRead16OfTheLastPossibleLbaAsOutOfRange() {
        assertSense(f.run(ScsiFixture.read16(-1L, 1)), SenseCode.LBA_OUT_OF_RANGE);
        assertSense(f.run(ScsiFixture.read16(Long.MIN_VALUE, 1)), SenseCode.LBA_OUT_OF_RANGE);
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 12, 16})
    void shouldAcceptZeroBlocksAtTheEnd(int size) {
        ScsiResponse r = f.run(f.nexus, 0, io(false, size, BLOCKS, 0), 0, new byte[0]);
        assertGood(r);
        assertThat(data(r)).isEmpty();
    }

    @Test
    void shouldReadTwoHundredFiftySixBlocksForRead6LengthZero() {
        ScsiResponse r = f.run(f.nexus, 0, io(false, 6, 0, 0), 256 * 512, new byte[0]);
        assertGood(r);
        assertThat(data(r)).hasSize(256 * 512);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x20, 0x40, 0x80, 0xE0})
    void shouldRejectProtectionInformationRequests(int protect) {
        byte[] read = io(false, 10, 0, 1);
        read[1] = (byte) protect;
        assertSense(f.run(read), SenseCode.INVALID_FIELD_IN_CDB);
        byte[] write = io(true, 16, 0, 1);
        write[1] = (byte) protect;
        assertSense(f.run(write, new byte[512]), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldRejectTransfersLongerThanTheMaximumTransferLength() {
        int tooMany = InquiryData.MAX_TRANSFER_BLOCKS + 1;
        f.unit.resize(tooMany * 2L);
        f.clearUnitAttentions(f.nexus);
        assertSense(f.run(f.nexus, 0, io(false, 16, 0, tooMany), tooMany * 512, new byte[0]),
                SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldPassFuaToTheUnit() {
        byte[] c = io(true, 10, 0, 1);
        c[1] = 0x08;
        assertGood(f.run(c, new byte[512]));
        assertThat(f.unit.fuaWriteCount()).isEqualTo(1);
        assertGood(f.run(io(true, 10, 0, 1), new byte[512]));
        assertThat(f.unit.fuaWriteCount()).isEqualTo(1);
    }

    @Test
    void shouldTruncateAReadToTheEdtlAndReportTheWantedLength() {
        f.writeBlocks(0, filled(1024, 7));
        ScsiResponse r = f.run(f.nexus, 0, io(false, 10, 0, 2), 200, new byte[0]);
        assertGood(r);
        assertThat(data(r)).hasSize(200).containsOnly(7);
        assertThat(r.transferLength()).isEqualTo(1024);
        ScsiResponse none = f.run(f.nexus, 0, io(false, 10, 0, 1), 0, new byte[0]);
        assertGood(none);
        assertThat(data(none)).isEmpty();
        assertThat(none.transferLength()).isEqualTo(512);
    }

    @Test
    void shouldRejectAWriteWhoseEdtlEndsInsideABlockAndWriteNothing() {
        ScsiResponse r = f.run(f.nexus, 0, io(true, 10, 0, 2), 600, filled(600, 9));
        assertSense(r, SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        assertThat(r.transferLength()).isEqualTo(1024);
        assertThat(f.readBlocks(0, 2)).containsOnly(0);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 512})
    void shouldWriteOnlyTheWholeBlocksOfAShortEdtl(int edtl) {
        ScsiResponse r = f.run(f.nexus, 0, io(true, 10, 0, 2), edtl, filled(edtl, 9));
        assertGood(r);
        assertThat(r.transferLength()).isEqualTo(1024);
        byte[] expected = new byte[1024];
        java.util.Arrays.fill(expected, 0, edtl, (byte) 9);
        assertThat(f.readBlocks(0, 2)).isEqualTo(expected);
    }

    @Test
    void shouldWriteOnlyTheTransferLengthWhenMoreDataArrives() {
        ScsiResponse r = f.run(f.nexus, 0, io(true, 10, 0, 1), 1024, filled(1024, 5));
        assertGood(r);
        assertThat(r.transferLength()).isEqualTo(512);
        assertThat(f.readBlocks(0, 2)).startsWith(filled(512, 5)).endsWith(new byte[512]);
    }

    @Test
    void shouldReportCapacityInBothReadCapacityForms() {
        byte[] rc10 = data(f.run(cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertThat(Cdb.u32(rc10, 0)).isEqualTo(BLOCKS - 1);
        assertThat(Cdb.u32(rc10, 4)).isEqualTo(512);
        byte[] rc16 = data(f.run(cdb(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0)));
        assertThat(rc16).hasSize(32);
        assertThat(Cdb.u64(rc16, 0)).isEqualTo(BLOCKS - 1);
        assertThat(rc16[13] & 0x0f).as("LBPPBE").isEqualTo(3);
        assertThat(rc16[14] & 0xC0).as("LBPME|LBPRZ").isEqualTo(0xC0);
    }

    @Test
    void shouldReportAllOnesInReadCapacity10WhenTheUnitIsTooBig() {
        f.unit.resize(0x1_0000_0001L);
        f.clearUnitAttentions(f.nexus);
        byte[] rc10 = data(f.run(cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertThat(Cdb.u32(rc10, 0)).isEqualTo(0xFFFFFFFFL);
    }

    @Test
    void shouldRejectAnLbaInReadCapacityWithoutPmi() {
        assertSense(f.run(cdb(0x25, 0, 0, 0, 0, 1, 0, 0, 0, 0)), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldFlushOnSynchronizeCacheAndCheckItsRange() {
        assertGood(f.run(cdb(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertGood(f.run(cdb(0x91, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertThat(f.unit.flushCount()).isEqualTo(2);
        byte[] beyond = cdb(0x35, 0, 0, 0, 0x10, 0x01, 0, 0, 1, 0);
        assertSense(f.run(beyond), SenseCode.LBA_OUT_OF_RANGE);
    }

    @Test
    void shouldAnswerPreFetchWithGoodInsideAndOutOfRangeOutside() {
        assertGood(f.run(cdb(0x34, 0, 0, 0, 0, 0, 0, 0, 8, 0)));
        assertGood(f.run(cdb(0x90, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0)));
        assertSense(f.run(cdb(0x34, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 1, 0)), SenseCode.LBA_OUT_OF_RANGE);
    }

    @Test
    void shouldVerifyWithByteCheckAndReportTheMiscompareOffset() {
        f.writeBlocks(0, filled(1024, 3));
        byte[] verify = cdb(0x2F, 0x02, 0, 0, 0, 0, 0, 0, 2, 0);
        assertGood(f.run(verify, filled(1024, 3)));
        byte[] differ = filled(1024, 3);
        differ[700] = 4;
        ScsiResponse r = f.run(verify, differ);
        assertSense(r, SenseCode.MISCOMPARE_DURING_VERIFY);
        assertThat(Cdb.u32(r.sense(), 3)).isEqualTo(700);
        assertThat(r.sense()[0] & 0x80).as("VALID").isNotZero();
    }

    @Test
    void shouldVerifyOneBlockAgainstEveryBlockWithByteCheckThree() {
        f.writeBlocks(0, filled(1536, 8));
        assertGood(f.run(cdb(0xAF, 0x06, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0), filled(512, 8)));
        assertSense(f.run(cdb(0xAF, 0x06, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0), filled(512, 9)),
                SenseCode.MISCOMPARE_DURING_VERIFY);
    }

    @Test
    void shouldVerifyTheMediumWithoutDataWhenByteCheckIsZeroAndRejectByteCheckTwo() {
        assertGood(f.run(cdb(0x8F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0)));
        assertSense(f.run(cdb(0x2F, 0x04, 0, 0, 0, 0, 0, 0, 1, 0)), SenseCode.INVALID_FIELD_IN_CDB);
        assertSense(f.run(cdb(0x2F, 0, 0, 0, 0x10, 0, 0, 0, 1, 0)), SenseCode.LBA_OUT_OF_RANGE);
    }

    @Test
    void shouldWriteAndVerifyDurably() {
        assertGood(f.run(cdb(0x2E, 0x02, 0, 0, 0, 1, 0, 0, 1, 0), filled(512, 1)));
        assertThat(f.readBlocks(1, 1)).containsOnly(1);
        assertThat(f.unit.fuaWriteCount()).isEqualTo(1);
    }
}
