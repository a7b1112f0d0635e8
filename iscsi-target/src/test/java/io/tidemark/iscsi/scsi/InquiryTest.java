package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.cdb;
import static io.tidemark.iscsi.scsi.ScsiFixture.data;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InquiryTest {

    private final ScsiFixture f = new ScsiFixture();

    private byte[] inquiry(int evpd, int page, int allocation) {
        ScsiResponse r = f.run(cdb(0x12, evpd, page, allocation >> 8, allocation & 0xff, 0));
        assertGood(r);
        return data(r);
    }

    @Test
    void shouldReportSpc4DiskWithAluaCommandQueueingAndThirdPartyCopy() {
        byte[] d = inquiry(0, 0, 255);
        assertThat(d[0]).isZero();
        assertThat(d[2]).isEqualTo((byte) 6);
        assertThat(d[3] & 0x0f).isEqualTo(2);
        assertThat(d[4] & 0xff).isEqualTo(d.length - 5);
        assertThat((d[5] >> 4) & 3).as("TPGS").isEqualTo(1);
        assertThat(d[5] & 0x08).as("3PC").isNotZero();
        assertThat(d[7] & 0x02).as("CMDQUE").isNotZero();
        assertThat(new String(d, 8, 8, StandardCharsets.US_ASCII)).isEqualTo("TIDEMARK");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5, 36, 95, 96, 97, 255, 512})
    void shouldTruncateToTheAllocationLength(int allocation) {
        assertThat(inquiry(0, 0, allocation)).hasSize(Math.min(allocation, 96));
    }

    @Test
    void shouldRejectAPageCodeWithoutEvpd() {
        ScsiResponse r = f.run(cdb(0x12, 0, 0x80, 0, 255, 0));
        assertSense(r, SenseCode.INVALID_FIELD_IN_CDB);
        assertThat(r.sense()[17]).isEqualTo((byte) 2);
    }

    @Test
    void shouldListSupportedPagesInAscendingOrderAndServeEachOfThem() {
        byte[] d = inquiry(1, 0, 255);
        byte[] pages = Arrays.copyOfRange(d, 4, 4 + d[3]);
        byte[] sorted = pages.clone();
        Arrays.sort(sorted);
        assertThat(pages).containsExactly(0x00, 0x80, 0x83, (byte) 0xB0, (byte) 0xB1, (byte) 0xB2);
        for (byte p : pages) {
            byte[] page = inquiry(1, p & 0xff, 255);
            assertThat(page[1]).isEqualTo(p);
            assertThat(Cdb.u16(page, 2)).isEqualTo(page.length - 4);
        }
    }

    @Test
    void shouldRejectAnUnknownVpdPage() {
        assertSense(f.run(cdb(0x12, 1, 0x99, 0, 255, 0)), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldUseTheVolumeNameAsUnitSerialNumber() {
        byte[] d = inquiry(1, 0x80, 255);
        assertThat(new String(d, 4, d.length - 4, StandardCharsets.US_ASCII)).isEqualTo("vol0");
    }

    @Test
    void shouldCarryTheNaaIdAndTargetPortDesignators() {
        byte[] d = inquiry(1, 0x83, 255);
        assertThat(d[4]).isEqualTo((byte) 0x01);
        assertThat(d[5]).isEqualTo((byte) 0x03);
        assertThat(d[7]).isEqualTo((byte) 16);
        assertThat(Arrays.copyOfRange(d, 8, 24)).isEqualTo(ScsiFixture.naa(1));
        String text = new String(d, StandardCharsets.US_ASCII);
        assertThat(text).contains(ScsiFixture.IQN + ",t,0x0001").contains(ScsiFixture.IQN + "\0");
    }

    @Test
    void shouldAdvertiseBlockLimitsAndThinProvisioning() {
        byte[] bl = inquiry(1, 0xB0, 255);
        assertThat(bl).hasSize(64);
        assertThat(bl[5] & 0xff).as("MAX COMPARE AND WRITE").isEqualTo(1);
        assertThat(Cdb.u32(bl, 20)).as("MAX UNMAP LBA COUNT").isEqualTo(InquiryData.MAX_UNMAP_BLOCKS);
        assertThat(Cdb.u64(bl, 36)).as("MAX WRITE SAME").isEqualTo(InquiryData.MAX_WRITE_SAME_BLOCKS);
        byte[] lbp = inquiry(1, 0xB2, 255);
        assertThat(lbp[5] & 0xE4).isEqualTo(0xE4);
        assertThat(lbp[6] & 7).isEqualTo(2);
        byte[] bdc = inquiry(1, 0xB1, 255);
        assertThat(Cdb.u16(bdc, 4)).isEqualTo(1);
    }

    @Test
    void shouldNotAdvertiseUnmapOnAFullyProvisionedLun() {
        ScsiFixture full = new ScsiFixture(false);
        ScsiResponse r = full.run(cdb(0x12, 1, 0xB2, 0, 255, 0));
        assertThat(data(r)[5]).isZero();
        assertThat(Cdb.u32(data(full.run(cdb(0x12, 1, 0xB0, 0, 255, 0))), 20)).isZero();
    }
}
