package io.tidemark.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SenseDataTest {

    @Test
    void shouldBuildFixedFormatCurrentErrors() {
        byte[] s = SenseData.of(SenseCode.LBA_OUT_OF_RANGE).build();
        assertThat(s).hasSize(18);
        assertThat(s[0]).isEqualTo((byte) 0x70);
        assertThat(s[2]).isEqualTo((byte) 0x05);
        assertThat(s[7]).isEqualTo((byte) 10);
        assertThat(s[12]).isEqualTo((byte) 0x21);
        assertThat(s[13]).isZero();
    }

    @Test
    void shouldSetValidWithTheInformationField() {
        byte[] s = SenseData.of(SenseCode.MISCOMPARE_DURING_VERIFY).information(0x1234).build();
        assertThat(s[0] & 0xff).isEqualTo(0xF0);
        assertThat(Cdb.u32(s, 3)).isEqualTo(0x1234);
    }

    @Test
    void shouldPointAtTheInvalidCdbByteAndBit() {
        byte[] s = SenseData.of(SenseCode.INVALID_FIELD_IN_CDB).cdbField(10, 3).build();
        assertThat(s[15] & 0xff).isEqualTo(0x80 | 0x40 | 0x08 | 3);
        assertThat(Cdb.u16(s, 16)).isEqualTo(10);
        byte[] p = SenseData.of(SenseCode.INVALID_FIELD_IN_PARAMETER_LIST).parameterField(300, -1).build();
        assertThat(p[15] & 0xff).isEqualTo(0x80);
        assertThat(Cdb.u16(p, 16)).isEqualTo(300);
    }
}
