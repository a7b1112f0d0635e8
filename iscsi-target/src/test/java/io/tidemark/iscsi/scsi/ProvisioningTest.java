package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.BLOCKS;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.cdb;
import static io.tidemark.iscsi.scsi.ScsiFixture.data;
import static io.tidemark.iscsi.scsi.ScsiFixture.filled;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProvisioningTest {

    private final ScsiFixture f = new ScsiFixture();

    static byte[] unmapList(long[]... ranges) {
        byte[] p = new byte[8 + 16 * ranges.length];
        Cdb.putShort(p, 0, p.length - 2);
        Cdb.putShort(p, 2, 16 * ranges.length);
        for (int i = 0; i < ranges.length; i++) {
            Cdb.putLong(p, 8 + 16 * i, ranges[i][0]);
            Cdb.putInt(p, 16 + 16 * i, (int) ranges[i][1]);
        }
        return p;
    }

    private ScsiResponse unmap(byte[] list) {
        return f.run(cdb(0x42, 0, 0, 0, 0, 0, 0, list.length >> 8, list.length & 0xff, 0), list);
    }

    static byte[] writeSame16(long lba, long blocks, int flags) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x93;
        c[1] = (byte) flags;
        Cdb.putLong(c, 2, lba);
        Cdb.putInt(c, 10, (int) blocks);
        return c;
    }

    static byte[] writeSame10(long lba, int blocks, int flags) {
        byte[] c = new byte[10];
        c[0] = 0x41;
        c[1] = (byte) flags;
        Cdb.putInt(c, 2, (int) lba);
        Cdb.putShort(c, 7, blocks);
        return c;
    }

    @Test
    void shouldDeallocateUnmappedRangesSoTheyReadAsZeros() {
        f.writeBlocks(0, filled(64 * 512, 'a'));
        int before = f.unit.allocatedChunks();
        assertGood(unmap(unmapList(new long[] {0, 16}, new long[] {40, 3})));
        assertThat(f.readBlocks(0, 16)).containsOnly(0);
        assertThat(f.readBlocks(40, 3)).containsOnly(0);
        assertThat(f.readBlocks(16, 24)).containsOnly('a');
        assertThat(f.unit.allocatedChunks()).isLessThan(before);
    }

    @Test
    void shouldAcceptEmptyListsAndZeroBlockDescriptorsEvenAtTheEnd() {
        assertGood(f.run(cdb(0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertGood(unmap(unmapList(new long[] {BLOCKS, 0})));
        assertGood(unmap(unmapList()));
    }

    @Test
    void shouldCheckEveryDescriptorBeforeUnmappingAny() {
        f.writeBlocks(0, filled(8 * 512, 'a'));
        assertSense(unmap(unmapList(new long[] {0, 8}, new long[] {BLOCKS - 1, 2})), SenseCode.LBA_OUT_OF_RANGE);
        assertThat(f.readBlocks(0, 8)).containsOnly('a');
    }

    @Test
    void shouldEnforceTheBlockLimits() {
        long[][] many = new long[InquiryData.MAX_UNMAP_DESCRIPTORS + 1][];
        for (int i = 0; i < many.length; i++) {
            many[i] = new long[] {i, 1};
        }
        assertSense(unmap(unmapList(many)), SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        f.unit.resize(InquiryData.MAX_UNMAP_BLOCKS * 2L);
        f.clearUnitAttentions(f.nexus);
        assertSense(unmap(unmapList(new long[] {0, InquiryData.MAX_UNMAP_BLOCKS + 1})),
                SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
    }

    @Test
    void shouldRejectAParameterListShorterThanItsHeader() {
        assertSense(f.run(cdb(0x42, 0, 0, 0, 0, 0, 0, 0, 4, 0), new byte[4]), SenseCode.PARAMETER_LIST_LENGTH_ERROR);
    }

    @Test
    void shouldNotOfferUnmapOnAFullyProvisionedLun() {
        ScsiFixture full = new ScsiFixture(false);
        byte[] list = unmapList(new long[] {0, 1});
        assertSense(full.run(cdb(0x42, 0, 0, 0, 0, 0, 0, 0, list.length, 0), list),
                SenseCode.INVALID_COMMAND_OPERATION_CODE);
        assertSense(full.run(writeSame16(0, 1, 0x08), new byte[512]), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @ParameterizedTest
    @CsvSource({"0,1", "0,256", "4000,96", "4095,1"})
    void shouldWriteTheSameBlockEverywhere(long lba, int blocks) {
        assertGood(f.run(writeSame16(lba, blocks, 0), filled(512, 0x5A)));
        assertThat(f.readBlocks(lba, blocks)).containsOnly(0x5A);
        assertGood(f.run(writeSame10(lba, blocks, 0), filled(512, 0x6B)));
        assertThat(f.readBlocks(lba, blocks)).containsOnly(0x6B);
    }

    @Test
    void shouldUnmapWithTheUnmapBitWhateverThePayload() {
        f.writeBlocks(0, filled(16 * 512, 'x'));
        assertGood(f.run(writeSame10(0, 16, 0x08), filled(512, 0xff)));
        assertThat(f.readBlocks(0, 16)).containsOnly(0);
        f.writeBlocks(0, filled(16 * 512, 'x'));
        assertGood(f.run(writeSame16(0, 16, 0x18), new byte[512]));
        assertThat(f.readBlocks(0, 16)).containsOnly(0);
    }

    @Test
    void shouldWriteToTheEndForZeroBlocks() {
        assertGood(f.run(writeSame16(BLOCKS - 10, 0, 0), filled(512, 3)));
        assertThat(f.readBlocks(BLOCKS - 10, 10)).containsOnly(3);
    }

    @Test
    void shouldWriteZerosWithoutDataOutForNdob() {
        f.writeBlocks(8, filled(512 * 4, 9));
        assertGood(f.run(writeSame16(8, 4, 0x01), new byte[0]));
        assertThat(f.readBlocks(8, 4)).containsOnly(0);
    }

    @Test
    void shouldRejectAnchorWithoutUnmapAndADataOutOtherThanOneBlock() {
        assertSense(f.run(writeSame16(0, 1, 0x10), new byte[512]), SenseCode.INVALID_FIELD_IN_CDB);
        assertSense(f.run(writeSame10(0, 1, 0), new byte[256]), SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        assertSense(f.run(writeSame10(0, 1, 0), new byte[1024]), SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
    }

    @ParameterizedTest
    @ValueSource(longs = {BLOCKS + 1, 0x80000000L, 0xFFFFFFFFL})
    void shouldAnswerLbaOutOfRangeBeyondTheEnd(long lba) {
        assertSense(f.run(writeSame10(lba, 1, 0), new byte[512]), SenseCode.LBA_OUT_OF_RANGE);
        assertSense(f.run(writeSame10(lba, 0, 0), new byte[512]), SenseCode.LBA_OUT_OF_RANGE);
    }

    @Test
    void shouldRejectMoreThanTheMaximumWriteSameLength() {
        f.unit.resize(InquiryData.MAX_WRITE_SAME_BLOCKS + 16L);
        f.clearUnitAttentions(f.nexus);
        assertSense(f.run(writeSame16(0, InquiryData.MAX_WRITE_SAME_BLOCKS + 1L, 0), new byte[512]),
                SenseCode.INVALID_FIELD_IN_CDB);
        assertSense(f.run(writeSame16(0, 0, 0), new byte[512]), SenseCode.INVALID_FIELD_IN_CDB);
        assertGood(f.run(writeSame16(16, 0, 0x08), new byte[512]));
    }

    private byte[] lbaStatus(long lba, int allocation) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9E;
        c[1] = 0x12;
        Cdb.putLong(c, 2, lba);
        Cdb.putInt(c, 10, allocation);
        ScsiResponse r = f.run(c);
        assertGood(r);
        return data(r);
    }

    @Test
    void shouldDescribeMappedAndDeallocatedExtents() {
        f.writeBlocks(16, filled(16 * 512, 1));
        byte[] d = lbaStatus(0, 8 + 16 * 4);
        assertThat(Cdb.u32(d, 0)).isEqualTo(d.length - 4);
        assertThat(Cdb.u64(d, 8)).isZero();
        assertThat(Cdb.u32(d, 16)).isEqualTo(16);
        assertThat(d[20]).as("deallocated").isEqualTo((byte) 1);
        assertThat(Cdb.u64(d, 24)).isEqualTo(16);
        assertThat(Cdb.u32(d, 32)).isEqualTo(16);
        assertThat(d[36]).as("mapped").isZero();
        assertThat(Cdb.u64(d, 40)).isEqualTo(32);
        assertThat(Cdb.u32(d, 48)).isEqualTo(BLOCKS - 32);
    }

    @Test
    void shouldFitTheAllocationLengthAndRejectLbasBeyondTheEnd() {
        assertThat(lbaStatus(BLOCKS - 1, 24)).hasSize(24);
        byte[] c = new byte[16];
        c[0] = (byte) 0x9E;
        c[1] = 0x12;
        Cdb.putLong(c, 2, BLOCKS);
        Cdb.putInt(c, 10, 24);
        assertSense(f.run(c), SenseCode.LBA_OUT_OF_RANGE);
    }
}
