package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.data;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReportSupportedOperationCodesTest {

    private final ScsiFixture f = new ScsiFixture();

    private ScsiResponse rsoc(int options, int opcode, int serviceAction) {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA3;
        c[1] = 0x0C;
        c[2] = (byte) options;
        c[3] = (byte) opcode;
        Cdb.putShort(c, 4, serviceAction);
        Cdb.putInt(c, 6, 65535);
        return f.run(c);
    }

    @Test
    void shouldListEveryCommandOfTheTableWithItsCdbLength() {
        byte[] d = data(rsoc(0, 0, 0));
        int count = (int) Cdb.u32(d, 0) / 8;
        assertThat(count).isEqualTo(f.device.table().all().size());
        boolean sawRead16 = false;
        for (int i = 0; i < count; i++) {
            int off = 4 + 8 * i;
            boolean serviceAction = (d[off + 5] & 1) != 0;
            if (!serviceAction) {
                assertThat(Cdb.u16(d, off + 2)).isZero();
            }
            if ((d[off] & 0xff) == 0x88) {
                sawRead16 = true;
                assertThat(Cdb.u16(d, off + 6)).isEqualTo(16);
            }
        }
        assertThat(sawRead16).isTrue();
    }

    @Test
    void shouldAppendTimeoutDescriptorsWithRctd() {
        byte[] d = data(rsoc(0x80, 0, 0));
        int off = 4;
        while (off < d.length) {
            assertThat(d[off + 5] & 0x02).as("CTDP").isNotZero();
            assertThat(Cdb.u16(d, off + 8)).isEqualTo(0x0A);
            off += 20;
        }
        assertThat(off).isEqualTo(d.length);
    }

    @Test
    void shouldDescribeOneCommandWithItsUsageBitmap() {
        byte[] d = data(rsoc(1, 0x89, 0));
        assertThat(d[1] & 0x07).as("SUPPORT").isEqualTo(3);
        assertThat(Cdb.u16(d, 2)).isEqualTo(16);
        assertThat(d[4] & 0xff).isEqualTo(0x89);
        assertThat(d[5] & 0x18).as("DPO and FUA").isEqualTo(0x18);
    }

    @Test
    void shouldDescribeAServiceActionCommandOnlyByServiceAction() {
        assertSense(rsoc(1, 0x9E, 0x10), SenseCode.INVALID_FIELD_IN_CDB);
        byte[] d = data(rsoc(2, 0x9E, 0x10));
        assertThat(d[4] & 0xff).isEqualTo(0x9E);
        assertThat(d[5] & 0xff).isEqualTo(0x10);
        assertSense(rsoc(2, 0x28, 0), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x02, 0xC5})
    void shouldSayNotSupportedForUnknownOpcodes(int opcode) {
        ScsiResponse r = rsoc(1, opcode, 0);
        assertGood(r);
        assertThat(data(r)[1] & 0x07).isEqualTo(1);
    }

    @Test
    void shouldReportTheSupportedTaskManagementFunctions() {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA3;
        c[1] = 0x0D;
        Cdb.putInt(c, 6, 4);
        byte[] d = data(f.run(c));
        assertThat(d).hasSize(4);
        assertThat(d[0] & 0xff).isEqualTo(0xDA);
    }

    @Test
    void shouldReportOneActiveOptimizedTargetPortGroup() {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA3;
        c[1] = 0x0A;
        Cdb.putInt(c, 6, 1024);
        byte[] d = data(f.run(c));
        assertThat(Cdb.u32(d, 0)).isEqualTo(d.length - 4);
        assertThat(d[4] & 0x0f).as("active/optimized").isZero();
        assertThat(Cdb.u16(d, 6)).isEqualTo(InquiryData.TARGET_PORT_GROUP);
        assertThat(d[11] & 0xff).isEqualTo(1);
        assertThat(Cdb.u16(d, 14)).isEqualTo(1);
    }
}
