package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.cdb;
import static io.tidemark.iscsi.scsi.ScsiFixture.data;
import static io.tidemark.iscsi.scsi.ScsiFixture.filled;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.spi.LunDescriptor;
import io.tidemark.iscsi.spi.MemoryLogicalUnit;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A write-protected LUN (a point-in-time view) as initiators see it: WP, DATA PROTECT, no provisioning. */
class ReadOnlyLunTest {

    private static final byte[] SEED = filled(8 * 512, 'S');

    private ReadOnlyLogicalUnit view;
    private final ScsiFixture f = new ScsiFixture(true, u -> view = new ReadOnlyLogicalUnit(u));
    private final ScsiFixture writable = new ScsiFixture(true);

    ReadOnlyLunTest() {
        f.unit.write(0, ByteBuffer.wrap(SEED), false).join();
        writable.unit.write(0, ByteBuffer.wrap(SEED), false).join();
    }

    /** Every command that would change the medium, with a CDB and Data-Out a writable LUN accepts. */
    static Stream<Arguments> mediumChangingCommands() {
        byte[] block = filled(512, 'W');
        byte[] write12 = new byte[12];
        write12[0] = (byte) 0xAA;
        Cdb.putInt(write12, 2, 1);
        Cdb.putInt(write12, 6, 1);
        byte[] verify12 = write12.clone();
        verify12[0] = (byte) 0xAE;
        byte[] verify10 = ScsiFixture.write10(1, 1);
        verify10[0] = 0x2E;
        byte[] verify16 = ScsiFixture.write16(1, 1);
        verify16[0] = (byte) 0x8E;
        byte[] same10 = cdb(0x41, 0, 0, 0, 0, 0, 0, 0, 8, 0);
        byte[] same10Unmap = cdb(0x41, 0x08, 0, 0, 0, 0, 0, 0, 8, 0);
        byte[] same16 = cdb(0x93, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0);
        byte[] same16Ndob = cdb(0x93, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0);
        byte[] unmapList = new byte[24];
        Cdb.putShort(unmapList, 0, 22);
        Cdb.putShort(unmapList, 2, 16);
        Cdb.putInt(unmapList, 16, 8);
        byte[] caw = new byte[16];
        caw[0] = (byte) 0x89;
        caw[13] = 1;
        byte[] cawData = new byte[1024];
        System.arraycopy(SEED, 0, cawData, 0, 512);
        byte[] orwrite = ScsiFixture.write16(1, 1);
        orwrite[0] = (byte) 0x8B;
        byte[] atomic = new byte[16];
        atomic[0] = (byte) 0x9C;
        Cdb.putShort(atomic, 12, 8);
        return Stream.of(
                Arguments.of("WRITE(6)", cdb(0x0A, 0, 0, 1, 1, 0), block),
                Arguments.of("WRITE(10)", ScsiFixture.write10(1, 1), block),
                Arguments.of("WRITE(12)", write12, block),
                Arguments.of("WRITE(16)", ScsiFixture.write16(1, 1), block),
                Arguments.of("WRITE(16) FUA", withByte1(ScsiFixture.write16(1, 1), 0x08), block),
                Arguments.of("WRITE AND VERIFY(10)", verify10, block),
                Arguments.of("WRITE AND VERIFY(12)", verify12, block),
                Arguments.of("WRITE AND VERIFY(16)", verify16, block),
                Arguments.of("WRITE SAME(10)", same10, block),
                Arguments.of("WRITE SAME(10) UNMAP", same10Unmap, new byte[512]),
                Arguments.of("WRITE SAME(16)", same16, block),
                Arguments.of("WRITE SAME(16) UNMAP NDOB", same16Ndob, new byte[0]),
                Arguments.of("UNMAP", cdb(0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0), unmapList),
                Arguments.of("COMPARE AND WRITE", caw, cawData),
                Arguments.of("ORWRITE(16)", orwrite, block),
                Arguments.of("WRITE ATOMIC(16)", atomic, filled(8 * 512, 'A')));
    }

    private static byte[] withByte1(byte[] cdb, int bits) {
        cdb[1] |= (byte) bits;
        return cdb;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mediumChangingCommands")
    void shouldEndEveryMediumChangingCommandWithWriteProtectedWithoutReachingTheUnit(String name, byte[] cdb,
                                                                                      byte[] dataOut) {
        assertGood(writable.run(cdb.clone(), dataOut.clone()));
        assertSense(f.run(cdb.clone(), dataOut.clone()), SenseCode.WRITE_PROTECTED);
        assertThat(view.mutations()).isZero();
        assertThat(f.unit.writeCount()).isEqualTo(1);
        assertThat(f.readBlocks(0, 8)).isEqualTo(SEED);
    }

    @Test
    void shouldReportDataProtectSenseKeyAndWriteProtectedCode() {
        byte[] sense = f.run(ScsiFixture.write10(0, 1), new byte[512]).sense();
        assertThat(SenseData.key(sense)).isEqualTo(0x7);
        assertThat(SenseData.asc(sense)).isEqualTo(0x27);
        assertThat(SenseData.ascq(sense)).isZero();
    }

    @Test
    void shouldSetWpInTheModeParameterHeaderOfModeSense6And10() {
        byte[] six = data(f.run(cdb(0x1A, 0, 0x3F, 0, 255, 0)));
        byte[] ten = data(f.run(cdb(0x5A, 0, 0x3F, 0, 0, 0, 0, 0x04, 0, 0)));
        assertThat(six[2] & 0xff).as("MODE SENSE(6) device-specific parameter").isEqualTo(0x80 | 0x10);
        assertThat(ten[3] & 0xff).as("MODE SENSE(10) device-specific parameter").isEqualTo(0x80 | 0x10);
        byte[] writableSix = data(writable.run(cdb(0x1A, 0, 0x3F, 0, 255, 0)));
        assertThat(writableSix[2] & 0x80).as("writable LUN WP").isZero();
    }

    @Test
    void shouldAdvertiseNoLogicalBlockProvisioningEvenWhenTheDescriptorIsThin() {
        assertThat(f.lun0.thin()).isTrue();
        byte[] capacity = data(f.run(cdb(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0)));
        assertThat(capacity[14] & 0xC0).as("LBPME, LBPRZ").isZero();
        byte[] provisioning = data(f.run(cdb(0x12, 1, 0xB2, 0, 64, 0)));
        assertThat(provisioning[5] & 0xE0).as("LBPU, LBPWS, LBPWS10").isZero();
        byte[] limits = data(f.run(cdb(0x12, 1, 0xB0, 0, 64, 0)));
        assertThat(Arrays.copyOfRange(limits, 20, 36)).as("UNMAP limits").containsOnly(0);
        byte[] thinCapacity = data(writable.run(cdb(0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0)));
        assertThat(thinCapacity[14] & 0x80).as("LBPME on the writable thin LUN").isNotZero();
    }

    @Test
    void shouldServeReadsVerifyCapacityInquiryAndLbaStatusUnchanged() {
        assertThat(f.readBlocks(0, 8)).isEqualTo(SEED);
        assertThat(data(f.run(ScsiFixture.read10(0, 8)))).isEqualTo(SEED);
        byte[] capacity = data(f.run(cdb(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertThat(Cdb.u32(capacity, 0)).isEqualTo(ScsiFixture.BLOCKS - 1);
        assertGood(f.run(cdb(0x12, 0, 0, 0, 96, 0)));
        assertGood(f.run(cdb(0x00, 0, 0, 0, 0, 0)));
        byte[] verify = cdb(0x2F, 0x02, 0, 0, 0, 0, 0, 0, 1, 0);
        assertGood(f.run(verify, Arrays.copyOf(SEED, 512)));
        assertGood(f.run(cdb(0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0)));
        assertGood(f.run(cdb(0x34, 0, 0, 0, 0, 0, 0, 0, 8, 0)));
    }

    @Test
    void shouldSucceedSynchronizeCacheAndModeSelect() {
        int flushes = f.unit.flushCount();
        assertGood(f.run(cdb(0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertGood(f.run(cdb(0x91, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertThat(f.unit.flushCount()).isEqualTo(flushes + 2);
        assertGood(f.run(cdb(0x15, 0x10, 0, 0, 0, 0)));
    }

    @Test
    void shouldKeepPersistentReservationsWorkingAndCheckThemBeforeWriteProtection() {
        long key = 0x0102_0304_0506_0708L;
        assertGood(prout(f.nexus, 6, 0, 0, key));
        assertGood(prout(f.nexus, 1, 1, key, 0));
        byte[] reservation = data(f.run(cdb(0x5E, 1, 0, 0, 0, 0, 0, 0x10, 0, 0)));
        assertThat(Cdb.u64(reservation, 8)).isEqualTo(key);
        assertThat(reservation[21] & 0x0f).as("type Write Exclusive").isEqualTo(1);
        assertGood(f.run(f.other, 0, ScsiFixture.read10(0, 1), 512, new byte[0]));
        assertThat(f.run(f.other, 0, ScsiFixture.write10(0, 1), 512, new byte[512]).status())
                .isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
        assertSense(f.run(ScsiFixture.write10(0, 1), new byte[512]), SenseCode.WRITE_PROTECTED);
        assertGood(prout(f.nexus, 2, 1, key, 0));
        assertThat(view.mutations()).isZero();
    }

    @Test
    void shouldCopyOutOfAReadOnlyLunButNeverIntoOne() {
        MemoryLogicalUnit target = new MemoryLogicalUnit(1024);
        TargetNode other = f.registry.add(new TargetNode("iqn.2026-11.io.tidemark:live", "l", null, Set.of()));
        other.addLun(new LunDescriptor(0, "live", ScsiFixture.naa(9), true, target));
        byte[][] both = {ExtendedCopyTest.cscd(ScsiFixture.naa(1)), ExtendedCopyTest.cscd(ScsiFixture.naa(9))};

        assertGood(xcopy(ExtendedCopyTest.parameters(1, 0, both,
                new byte[][] {ExtendedCopyTest.segment(0, 1, 8, 0, 100)})));
        byte[] copied = new byte[8 * 512];
        target.read(100, ByteBuffer.wrap(copied)).join();
        assertThat(copied).isEqualTo(SEED);

        assertSense(xcopy(ExtendedCopyTest.parameters(2, 0, both,
                new byte[][] {ExtendedCopyTest.segment(1, 0, 8, 100, 16)})), SenseCode.WRITE_PROTECTED);
        assertSense(xcopy(ExtendedCopyTest.parameters(3, 0, both,
                new byte[][] {ExtendedCopyTest.segment(0, 0, 8, 0, 16)})), SenseCode.WRITE_PROTECTED);
        assertThat(view.mutations()).isZero();
        assertThat(f.readBlocks(16, 8)).containsOnly(0);
    }

    private ScsiResponse prout(ItNexus n, int action, int type, long key, long actionKey) {
        byte[] p = new byte[24];
        Cdb.putLong(p, 0, key);
        Cdb.putLong(p, 8, actionKey);
        return f.run(n, 0, cdb(0x5F, action, type, 0, 0, 0, 0, 0, 24, 0), 24, p);
    }

    private ScsiResponse xcopy(byte[] p) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x83;
        Cdb.putInt(c, 10, p.length);
        return f.run(c, p);
    }
}
