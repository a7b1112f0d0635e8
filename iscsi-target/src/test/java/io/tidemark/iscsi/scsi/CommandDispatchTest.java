package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.cdb;
import static io.tidemark.iscsi.scsi.ScsiFixture.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.iscsi.spi.LunDescriptor;
import io.tidemark.iscsi.spi.MemoryLogicalUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandDispatchTest {

    private final ScsiFixture f = new ScsiFixture();

    @ParameterizedTest
    @ValueSource(ints = {0x02, 0x07, 0x0B, 0x3B, 0x3C, 0xC0, 0xFF})
    void shouldAnswerInvalidCommandOperationCodeForUnknownOpcodes(int opcode) {
        assertSense(f.run(cdb(opcode, 0, 0, 0, 0, 0, 0, 0, 0, 0)), SenseCode.INVALID_COMMAND_OPERATION_CODE);
    }

    @Test
    void shouldPointAtByteOneForAnUnknownServiceAction() {
        ScsiResponse r = f.run(cdb(0x9E, 0x1F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0));
        assertSense(r, SenseCode.INVALID_FIELD_IN_CDB);
        assertThat(r.sense()[15] & 0xff).as("SKSV|C/D|BPV|bit 4").isEqualTo(0x80 | 0x40 | 0x08 | 4);
        assertThat(r.sense()[17]).isEqualTo((byte) 1);
    }

    @Test
    void shouldAnswerLogicalUnitNotSupportedForAMissingLun() {
        assertSense(f.run(f.nexus, 7, cdb(0, 0, 0, 0, 0, 0), 0, new byte[0]), SenseCode.LOGICAL_UNIT_NOT_SUPPORTED);
        assertSense(f.run(f.nexus, 7, ScsiFixture.read10(0, 1), 512, new byte[0]),
                SenseCode.LOGICAL_UNIT_NOT_SUPPORTED);
    }

    @Test
    void shouldAnswerInquiryOnAMissingLunWithQualifierThree() {
        ScsiResponse r = f.run(f.nexus, 9, cdb(0x12, 0, 0, 0, 96, 0), 96, new byte[0]);
        assertGood(r);
        assertThat(data(r)[0]).isEqualTo((byte) 0x7F);
    }

    @Test
    void shouldServeReportLunsAndRequestSenseOnAMissingLun() {
        assertGood(f.run(f.nexus, 9, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), 256, new byte[0]));
        ScsiResponse sense = f.run(f.nexus, 9, cdb(0x03, 0, 0, 0, 18, 0), 18, new byte[0]);
        assertGood(sense);
        assertThat(SenseData.asc(data(sense))).isEqualTo(0x25);
    }

    @Test
    void shouldRejectNacaInTheControlByte() {
        ScsiResponse r = f.run(ScsiFixture.cdb(0, 0, 0, 0, 0, 0x04));
        assertSense(r, SenseCode.INVALID_FIELD_IN_CDB);
        assertThat(r.sense()[17]).isEqualTo((byte) 5);
    }

    @Test
    void shouldAnswerTestUnitReadyWithGood() {
        assertGood(f.run(cdb(0, 0, 0, 0, 0, 0)));
    }

    @Test
    void shouldReportReportedLunsDataHasChangedAfterALunIsAddedUntilReportLuns() {
        f.clearUnitAttentions(f.nexus);
        f.node.addLun(new LunDescriptor(1, "vol1", ScsiFixture.naa(2), true, new MemoryLogicalUnit(64)));
        assertSense(f.run(cdb(0, 0, 0, 0, 0, 0)), SenseCode.REPORTED_LUNS_DATA_HAS_CHANGED);
        f.node.removeLun(1);
        ScsiResponse luns = f.run(cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0));
        assertGood(luns);
        assertThat(data(luns)).hasSize(16);
        assertGood(f.run(cdb(0, 0, 0, 0, 0, 0)));
    }

    @Test
    void shouldReportCapacityDataHasChangedAfterAResizeToEveryNexus() {
        f.clearUnitAttentions(f.nexus);
        f.clearUnitAttentions(f.other);
        f.unit.resize(ScsiFixture.BLOCKS * 2);
        assertSense(f.run(cdb(0, 0, 0, 0, 0, 0)), SenseCode.CAPACITY_DATA_HAS_CHANGED);
        assertGood(f.run(cdb(0, 0, 0, 0, 0, 0)));
        assertSense(f.run(f.other, 0, cdb(0, 0, 0, 0, 0, 0), 0, new byte[0]), SenseCode.CAPACITY_DATA_HAS_CHANGED);
    }

    @Test
    void shouldReturnAndClearAPendingUnitAttentionWithRequestSense() {
        f.unit.resize(ScsiFixture.BLOCKS + 8);
        f.run(cdb(0x12, 0, 0, 0, 36, 0));
        ScsiResponse sense = f.run(cdb(0x03, 0, 0, 0, 18, 0));
        assertGood(sense);
        assertThat(SenseData.key(data(sense))).isEqualTo(SenseCode.SenseKey.UNIT_ATTENTION);
        ScsiResponse none = f.run(cdb(0x03, 0, 0, 0, 18, 0));
        assertThat(SenseData.key(data(none))).isEqualTo(SenseCode.SenseKey.NO_SENSE);
        assertGood(f.run(cdb(0, 0, 0, 0, 0, 0)));
    }

    @Test
    void shouldGiveEveryNexusBusDeviceResetAfterALogicalUnitReset() {
        f.clearUnitAttentions(f.nexus);
        f.clearUnitAttentions(f.other);
        f.device.reset(f.nexus, ScsiExecutor.Reset.LOGICAL_UNIT_RESET, 0);
        assertSense(f.run(cdb(0, 0, 0, 0, 0, 0)), SenseCode.BUS_DEVICE_RESET);
        assertSense(f.run(f.other, 0, cdb(0, 0, 0, 0, 0, 0), 0, new byte[0]), SenseCode.BUS_DEVICE_RESET);
        assertGood(f.run(cdb(0, 0, 0, 0, 0, 0)));
    }

    @Test
    void shouldReleaseAnSpc2ReservationOnLogicalUnitResetButKeepPersistentOnes() {
        assertGood(f.run(cdb(0x16, 0, 0, 0, 0, 0)));
        f.device.reset(f.nexus, ScsiExecutor.Reset.LOGICAL_UNIT_RESET, 0);
        f.clearUnitAttentions(f.other);
        assertGood(f.run(f.other, 0, cdb(0x16, 0, 0, 0, 0, 0), 0, new byte[0]));
    }

    @Test
    void shouldGiveEveryNexusPowerOnResetOnEveryLunAfterATargetReset() {
        f.node.addLun(new LunDescriptor(1, "vol1", ScsiFixture.naa(2), true, new MemoryLogicalUnit(64)));
        f.clearUnitAttentions(f.nexus);
        f.clearUnitAttentions(f.other);
        f.run(f.other, 1, cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), 256, new byte[0]);
        f.device.reset(f.nexus, ScsiExecutor.Reset.TARGET_WARM_RESET, 0);
        assertSense(f.run(cdb(0, 0, 0, 0, 0, 0)), SenseCode.POWER_ON_RESET);
        assertSense(f.run(f.other, 1, cdb(0, 0, 0, 0, 0, 0), 0, new byte[0]), SenseCode.POWER_ON_RESET);
    }

    @Test
    void shouldForgetUnitAttentionsOfALostNexus() {
        f.unit.resize(ScsiFixture.BLOCKS + 8);
        f.run(f.nexus, 0, cdb(0x12, 0, 0, 0, 36, 0), 36, new byte[0]);
        f.device.nexusLost(f.other);
        assertGood(f.run(f.other, 0, cdb(0, 0, 0, 0, 0, 0), 0, new byte[0]));
    }

    @Test
    void shouldAcceptStartStopUnitAndAllowMediumRemovalButNotPrevent() {
        assertGood(f.run(cdb(0x1B, 0, 0, 0, 1, 0)));
        assertGood(f.run(cdb(0x1E, 0, 0, 0, 0, 0)));
        assertSense(f.run(cdb(0x1E, 0, 0, 0, 1, 0)), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldRejectReportLunsWithAnAllocationLengthBelowSixteenOrABadSelectReport() {
        assertSense(f.run(cdb(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0)), SenseCode.INVALID_FIELD_IN_CDB);
        assertSense(f.run(cdb(0xA0, 0, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0)), SenseCode.INVALID_FIELD_IN_CDB);
        ScsiResponse wellKnown = f.run(cdb(0xA0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0));
        assertThat(data(wellKnown)).hasSize(8);
    }

    @Test
    void shouldMapABackstoreReadFailureToUnrecoveredReadError() {
        f.unit.failReads(new IllegalStateException("disk gone"));
        assertSense(f.run(ScsiFixture.read10(0, 1)), SenseCode.UNRECOVERED_READ_ERROR);
        f.unit.failReads(null);
        assertGood(f.run(ScsiFixture.read10(0, 1)));
    }
}
