package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.data;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DefectDataTest {

    private final ScsiFixture f = new ScsiFixture();

    static byte[] readDefectData10(int flags, int allocation) {
        byte[] c = new byte[10];
        c[0] = 0x37;
        c[2] = (byte) flags;
        Cdb.putShort(c, 7, allocation);
        return c;
    }

    static byte[] readDefectData12(int flags, long index, long allocation) {
        byte[] c = new byte[12];
        c[0] = (byte) 0xB7;
        c[1] = (byte) flags;
        Cdb.putInt(c, 2, (int) index);
        Cdb.putInt(c, 6, (int) allocation);
        return c;
    }

    /** Every REQ_PLIST/REQ_GLIST combination with every format but the reserved one. */
    static Stream<Arguments> requests() {
        List<Arguments> all = new ArrayList<>();
        for (int lists : new int[] {0x00, 0x08, 0x10, 0x18}) {
            for (int format = 0; format <= 6; format++) {
                all.add(Arguments.of(lists, format));
            }
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("requests")
    void shouldReturnAnEmptyListForTheRequestedListsAndFormatWith10ByteCdb(int lists, int format) {
        ScsiResponse r = f.run(readDefectData10(lists | format, 32));
        assertGood(r);
        byte[] d = data(r);
        assertThat(d).hasSize(4);
        assertThat(d[1] & 0x18).as("PLISTV|GLISTV").isEqualTo(lists);
        assertThat(d[1] & 0x07).as("DEFECT LIST FORMAT").isEqualTo(format);
        assertThat(Cdb.u16(d, 2)).as("DEFECT LIST LENGTH").isZero();
    }

    @ParameterizedTest
    @MethodSource("requests")
    void shouldReturnAnEmptyListForTheRequestedListsAndFormatWith12ByteCdb(int lists, int format) {
        ScsiResponse r = f.run(readDefectData12(lists | format, 0, 32));
        assertGood(r);
        byte[] d = data(r);
        assertThat(d).hasSize(8);
        assertThat(d[1] & 0x18).as("PLISTV|GLISTV").isEqualTo(lists);
        assertThat(d[1] & 0x07).as("DEFECT LIST FORMAT").isEqualTo(format);
        assertThat(Cdb.u16(d, 2)).as("GENERATION CODE").isZero();
        assertThat(Cdb.u32(d, 4)).as("DEFECT LIST LENGTH").isZero();
    }

    @Test
    void shouldRejectTheReservedFormatPointingAtIt() {
        ScsiResponse ten = f.run(readDefectData10(0x18 | 0x07, 32));
        assertSense(ten, SenseCode.INVALID_FIELD_IN_CDB);
        assertThat(ten.sense()[15] & 0xff).as("SKSV|C/D|BPV|bit 2").isEqualTo(0x80 | 0x40 | 0x08 | 2);
        assertThat(Cdb.u16(ten.sense(), 16)).as("field pointer").isEqualTo(2);

        ScsiResponse twelve = f.run(readDefectData12(0x07, 0, 32));
        assertSense(twelve, SenseCode.INVALID_FIELD_IN_CDB);
        assertThat(Cdb.u16(twelve.sense(), 16)).as("field pointer").isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 4})
    void shouldTruncateTheHeaderToTheAllocationLength(int allocation) {
        assertThat(data(f.run(readDefectData10(0x18, allocation)))).hasSize(allocation);
        assertThat(data(f.run(readDefectData12(0x18, 0, allocation)))).hasSize(allocation);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 1000, 0xFFFFFFFFL})
    void shouldReturnAnEmptyListFromAnyAddressDescriptorIndex(long index) {
        ScsiResponse r = f.run(readDefectData12(0x08, index, 32));
        assertGood(r);
        assertThat(Cdb.u32(data(r), 4)).isZero();
    }

    @Test
    void shouldRejectATruncatedCdb() {
        assertSense(f.run(new byte[] {0x37, 0, 0x18, 0, 0, 0}), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldBeListedAsSupportedWithTheirUsageData() {
        CommandSpec ten = f.device.table().plain(DefectDataCommands.READ_DEFECT_DATA_10);
        CommandSpec twelve = f.device.table().plain(DefectDataCommands.READ_DEFECT_DATA_12);
        assertThat(ten.cdbLength()).isEqualTo(10);
        assertThat(ten.usage()[2] & 0x1f).isEqualTo(0x1f);
        assertThat(twelve.cdbLength()).isEqualTo(12);
        assertThat(twelve.usage()[1] & 0x1f).isEqualTo(0x1f);
        assertThat(ten.has(CommandSpec.PR_READ)).as("conflicts under Exclusive Access").isTrue();
    }
}
