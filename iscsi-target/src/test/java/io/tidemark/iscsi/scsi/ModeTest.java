package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.cdb;
import static io.tidemark.iscsi.scsi.ScsiFixture.data;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModeTest {

    private final ScsiFixture f = new ScsiFixture();

    private byte[] sense6(int dbd, int pc, int page, int subpage, int allocation) {
        ScsiResponse r = f.run(cdb(0x1A, dbd << 3, pc << 6 | page, subpage, allocation, 0));
        assertGood(r);
        return data(r);
    }

    /** Page codes in a MODE SENSE(6) answer, subpages as code << 8 | subpage. */
    private static List<Integer> pageCodes(byte[] d) {
        List<Integer> codes = new ArrayList<>();
        int off = 4 + (d[3] & 0xff);
        while (off < d.length) {
            boolean spf = (d[off] & 0x40) != 0;
            codes.add(spf ? (d[off] & 0x3f) << 8 | d[off + 1] & 0xff : d[off] & 0x3f);
            off += spf ? Cdb.u16(d, off + 2) + 4 : (d[off + 1] & 0xff) + 2;
        }
        return codes;
    }

    @Test
    void shouldReturnEveryPageWithAShortBlockDescriptorAndDpoFua() {
        byte[] d = sense6(0, 0, 0x3F, 0, 255);
        assertThat(d[0] & 0xff).isEqualTo(d.length - 1);
        assertThat(d[2] & 0x10).as("DPOFUA").isNotZero();
        assertThat(d[3]).isEqualTo((byte) 8);
        assertThat(Cdb.u32(d, 4)).isEqualTo(ScsiFixture.BLOCKS);
        assertThat(Cdb.u24(d, 9)).isEqualTo(512);
        assertThat(pageCodes(d)).containsExactly(0x01, 0x08, 0x0A, 0x1C);
        assertThat(pageCodes(sense6(1, 0, 0x3F, 0xFF, 255))).containsExactly(0x01, 0x08, 0x0A, 0x0A01, 0x1C);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 12})
    void shouldTruncateToTheAllocationLength(int allocation) {
        assertThat(sense6(0, 0, 0x3F, 0, allocation)).hasSize(allocation);
    }

    @Test
    void shouldReportWriteCacheEnabledAndChangeable() {
        byte[] current = sense6(1, 0, 0x08, 0, 255);
        assertThat(current[4 + 2] & 0x04).isNotZero();
        byte[] changeable = sense6(1, 1, 0x08, 0, 255);
        assertThat(changeable[4 + 2] & 0xff).isEqualTo(0x04);
    }

    @Test
    void shouldAnswerSavingParametersNotSupportedForSavedValues() {
        assertSense(f.run(cdb(0x1A, 0, 0xC0 | 0x08, 0, 255, 0)), SenseCode.SAVING_PARAMETERS_NOT_SUPPORTED);
    }

    @Test
    void shouldRejectAnUnknownPage() {
        assertSense(f.run(cdb(0x1A, 0, 0x19, 0, 255, 0)), SenseCode.INVALID_FIELD_IN_CDB);
        assertSense(f.run(cdb(0x1A, 0, 0x08, 0x05, 255, 0)), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldUseALongBlockDescriptorWithLlbaa() {
        ScsiResponse r = f.run(cdb(0x5A, 0x10, 0x08, 0, 0, 0, 0, 1, 0, 0));
        byte[] d = data(r);
        assertThat(d[4] & 1).as("LONGLBA").isEqualTo(1);
        assertThat(Cdb.u16(d, 6)).isEqualTo(16);
        assertThat(Cdb.u64(d, 8)).isEqualTo(ScsiFixture.BLOCKS);
        assertThat(Cdb.u32(d, 20)).isEqualTo(512);
        assertThat(Cdb.u16(d, 0)).isEqualTo(d.length - 2);
    }

    private byte[] cachingSelect(boolean wce) {
        byte[] page = sense6(1, 0, 0x08, 0, 255);
        byte[] p = new byte[page.length];
        System.arraycopy(page, 0, p, 0, page.length);
        p[0] = 0;
        p[2] = 0;
        p[4 + 2] = (byte) (wce ? 0x04 : 0);
        return p;
    }

    @Test
    void shouldTurnTheWriteCacheOffWithModeSelectAndMakeWritesDurable() {
        byte[] p = cachingSelect(false);
        assertGood(f.run(cdb(0x15, 0x10, 0, 0, p.length, 0), p));
        assertThat(sense6(1, 0, 0x08, 0, 255)[6] & 0x04).isZero();
        assertThat(f.unit.flushCount()).isEqualTo(1);
        assertGood(f.run(ScsiFixture.write10(0, 1), new byte[512]));
        assertThat(f.unit.fuaWriteCount()).isEqualTo(1);
        assertSense(f.run(f.other, 0, cdb(0, 0, 0, 0, 0, 0), 0, new byte[0]), SenseCode.MODE_PARAMETERS_CHANGED);
        byte[] on = cachingSelect(true);
        assertGood(f.run(cdb(0x15, 0x10, 0, 0, on.length, 0), on));
        assertThat(sense6(1, 0, 0x08, 0, 255)[6] & 0x04).isNotZero();
    }

    @Test
    void shouldAcceptModeSelect10WithALongBlockDescriptor() {
        byte[] page = cachingSelect(false);
        byte[] p = new byte[8 + 16 + page.length - 4];
        p[4] = 1; // LONGLBA
        Cdb.putShort(p, 6, 16);
        Cdb.putInt(p, 8 + 12, 512);
        System.arraycopy(page, 4, p, 24, page.length - 4);
        assertGood(f.run(cdb(0x55, 0x10, 0, 0, 0, 0, 0, 0, p.length, 0), p));
        assertThat(f.device.unit(0).writeCacheEnabled()).isFalse();
    }

    @Test
    void shouldRejectChangesToBitsThatAreNotChangeable() {
        byte[] p = cachingSelect(true);
        p[4 + 2] |= 0x01; // RCD
        ScsiResponse r = f.run(cdb(0x15, 0x10, 0, 0, p.length, 0), p);
        assertSense(r, SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
        assertThat(Cdb.u16(r.sense(), 16)).isEqualTo(6);
    }

    @Test
    void shouldRequirePageFormatAndRefuseToSave() {
        byte[] p = cachingSelect(true);
        assertSense(f.run(cdb(0x15, 0x00, 0, 0, p.length, 0), p), SenseCode.INVALID_FIELD_IN_CDB);
        assertSense(f.run(cdb(0x15, 0x11, 0, 0, p.length, 0), p), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldAcceptAMatchingBlockDescriptorAndRejectAnotherBlockLength() {
        byte[] withDescriptor = sense6(0, 0, 0x08, 0, 255);
        withDescriptor[0] = 0;
        assertGood(f.run(cdb(0x15, 0x10, 0, 0, withDescriptor.length, 0), withDescriptor));
        withDescriptor[10] = 0x10; // 4096-byte blocks
        assertSense(f.run(cdb(0x15, 0x10, 0, 0, withDescriptor.length, 0), withDescriptor),
                SenseCode.INVALID_FIELD_IN_PARAMETER_LIST);
    }
}
