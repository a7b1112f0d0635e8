package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.cdb;
import static io.tidemark.iscsi.scsi.ScsiFixture.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.spi.LunDescriptor;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReservationTest {

    private static final long KEY_A = 0x1111_2222_3333_4444L;
    private static final long KEY_B = 0x5555_6666_7777_8888L;

    private final ScsiFixture f = new ScsiFixture();

    private ScsiResponse prout(ItNexus n, int action, int type, long key, long actionKey, int flags) {
        byte[] c = cdb(0x5F, action, type, 0, 0, 0, 0, 0, 24, 0);
        byte[] p = new byte[24];
        Cdb.putLong(p, 0, key);
        Cdb.putLong(p, 8, actionKey);
        p[20] = (byte) flags;
        return f.run(n, 0, c, 24, p);
    }

    private ScsiResponse register(ItNexus n, long key) {
        return prout(n, 6, 0, 0, key, 0);
    }

    private byte[] prin(ItNexus n, int action) {
        ScsiResponse r = f.run(n, 0, cdb(0x5E, action, 0, 0, 0, 0, 0, 0x10, 0, 0), 4096, new byte[0]);
        assertGood(r);
        return data(r);
    }

    private ScsiResponse read(ItNexus n) {
        return f.run(n, 0, ScsiFixture.read10(1, 1), 512, new byte[0]);
    }

    private ScsiResponse write(ItNexus n) {
        return f.run(n, 0, ScsiFixture.write10(1, 1), 512, new byte[512]);
    }

    private static void assertConflict(ScsiResponse r) {
        assertThat(r.status()).isEqualTo(ScsiResponse.RESERVATION_CONFLICT);
    }

    private static void assertAllowed(ScsiResponse r, boolean allowed) {
        assertThat(r.status()).isEqualTo(allowed ? ScsiResponse.GOOD : ScsiResponse.RESERVATION_CONFLICT);
    }

    @Test
    void shouldConflictOtherNexusesUnderAnSpc2ReservationExceptForInquiryAndRelease() {
        assertGood(f.run(cdb(0x16, 0, 0, 0, 0, 0)));
        assertGood(f.run(cdb(0x16, 0, 0, 0, 0, 0)));
        assertConflict(read(f.other));
        assertConflict(f.run(f.other, 0, cdb(0x1A, 0, 0x3F, 0, 255, 0), 255, new byte[0]));
        assertConflict(f.run(f.other, 0, cdb(0x16, 0, 0, 0, 0, 0), 0, new byte[0]));
        assertGood(f.run(f.other, 0, cdb(0x12, 0, 0, 0, 36, 0), 36, new byte[0]));
        assertGood(f.run(f.other, 0, cdb(0x17, 0, 0, 0, 0, 0), 0, new byte[0]));
        assertGood(read(f.nexus));
        assertGood(f.run(cdb(0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertGood(f.run(f.other, 0, cdb(0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, new byte[0]));
        assertConflict(read(f.nexus));
    }

    @Test
    void shouldReleaseAnSpc2ReservationWhenItsNexusIsLost() {
        assertGood(f.run(cdb(0x16, 0, 0, 0, 0, 0)));
        f.device.nexusLost(f.nexus);
        assertGood(read(f.other));
    }

    @Test
    void shouldConflictSpc2ReserveWhileRegistrationsExist() {
        assertGood(register(f.other, KEY_B));
        assertConflict(f.run(cdb(0x16, 0, 0, 0, 0, 0)));
        assertConflict(f.run(cdb(0x17, 0, 0, 0, 0, 0)));
    }

    static Stream<Arguments> accessMatrix() {
        // type, registered reads, registered writes, unregistered reads, unregistered writes (SPC-4 table 66)
        return Stream.of(
                Arguments.of(1, true, false, true, false),
                Arguments.of(3, false, false, false, false),
                Arguments.of(5, true, true, true, false),
                Arguments.of(6, true, true, false, false),
                Arguments.of(7, true, true, true, false),
                Arguments.of(8, true, true, false, false));
    }

    @ParameterizedTest(name = "type {0}")
    @MethodSource("accessMatrix")
    void shouldApplyTheAccessRulesOfEachReservationType(int type, boolean regRead, boolean regWrite,
                                                        boolean unregRead, boolean unregWrite) {
        assertGood(register(f.nexus, KEY_A));
        assertGood(register(f.other, KEY_B));
        assertGood(prout(f.nexus, 1, type, KEY_A, 0, 0));
        assertGood(read(f.nexus));
        assertGood(write(f.nexus));
        assertAllowed(read(f.other), regRead);
        assertAllowed(write(f.other), regWrite);
        assertGood(prout(f.other, 0, 0, KEY_B, 0, 0));
        assertAllowed(read(f.other), unregRead);
        assertAllowed(write(f.other), unregWrite);
        assertGood(f.run(f.other, 0, cdb(0x12, 0, 0, 0, 36, 0), 36, new byte[0]));
        assertGood(f.run(f.other, 0, cdb(0x00, 0, 0, 0, 0, 0), 0, new byte[0]));
    }

    @Test
    void shouldListKeysAndTheReservationWithAGenerationThatCountsRegistrations() {
        assertGood(register(f.nexus, KEY_A));
        assertGood(register(f.other, KEY_B));
        assertGood(prout(f.nexus, 1, 5, KEY_A, 0, 0));
        byte[] keys = prin(f.nexus, 0);
        assertThat(Cdb.u32(keys, 0)).as("generation").isEqualTo(2);
        assertThat(Cdb.u32(keys, 4)).isEqualTo(16);
        assertThat(Cdb.u64(keys, 8)).isEqualTo(KEY_A);
        assertThat(Cdb.u64(keys, 16)).isEqualTo(KEY_B);
        byte[] reservation = prin(f.nexus, 1);
        assertThat(Cdb.u32(reservation, 4)).isEqualTo(16);
        assertThat(Cdb.u64(reservation, 8)).isEqualTo(KEY_A);
        assertThat(reservation[21]).isEqualTo((byte) 5);
        byte[] full = prin(f.nexus, 3);
        assertThat(Cdb.u64(full, 8)).isEqualTo(KEY_A);
        assertThat(full[8 + 12] & 1).as("R_HOLDER").isEqualTo(1);
    }

    @Test
    void shouldReportAllSixTypesInCapabilities() {
        byte[] caps = prin(f.nexus, 2);
        assertThat(Cdb.u16(caps, 0)).isEqualTo(8);
        assertThat(caps[3] & 0x80).as("TMV").isNotZero();
        assertThat(Cdb.u16(caps, 4)).isEqualTo(0xEA01);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 0x10, 0x1F})
    void shouldRejectUnknownPersistentReserveInServiceActions(int action) {
        assertSense(f.run(cdb(0x5E, action, 0, 0, 0, 0, 0, 0x10, 0, 0)), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldConflictARegisterWithTheWrongKeyAndARegistrationChangeWithAStaleOne() {
        assertConflict(prout(f.nexus, 0, 0, KEY_B, KEY_A, 0));
        assertGood(prout(f.nexus, 0, 0, 0, KEY_A, 0));
        assertConflict(prout(f.nexus, 0, 0, KEY_B, KEY_A, 0));
        assertGood(prout(f.nexus, 0, 0, KEY_A, KEY_B, 0));
        assertThat(Cdb.u64(prin(f.nexus, 0), 8)).isEqualTo(KEY_B);
    }

    @Test
    void shouldRejectAParameterListThatIsNotTwentyFourBytes() {
        byte[] c = cdb(0x5F, 0, 0, 0, 0, 0, 0, 0, 20, 0);
        assertSense(f.run(c, new byte[20]), SenseCode.PARAMETER_LIST_LENGTH_ERROR);
    }

    @Test
    void shouldRejectAnInvalidTypeOrScope() {
        assertGood(register(f.nexus, KEY_A));
        assertSense(prout(f.nexus, 1, 2, KEY_A, 0, 0), SenseCode.INVALID_FIELD_IN_CDB);
        assertSense(prout(f.nexus, 1, 0x13, KEY_A, 0, 0), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldReleaseARegistrantsOnlyReservationWhenTheHolderUnregistersAndTellTheOthers() {
        assertGood(register(f.nexus, KEY_A));
        assertGood(register(f.other, KEY_B));
        f.clearUnitAttentions(f.other);
        assertGood(prout(f.nexus, 1, 6, KEY_A, 0, 0));
        assertGood(prout(f.nexus, 0, 0, KEY_A, 0, 0));
        assertSense(f.run(f.other, 0, cdb(0, 0, 0, 0, 0, 0), 0, new byte[0]), SenseCode.RESERVATIONS_RELEASED);
        assertThat(Cdb.u32(prin(f.other, 1), 4)).isZero();
    }

    @Test
    void shouldKeepAnAllRegistrantsReservationUntilTheLastRegistrantLeaves() {
        assertGood(register(f.nexus, KEY_A));
        assertGood(register(f.other, KEY_B));
        assertGood(prout(f.nexus, 1, 8, KEY_A, 0, 0));
        assertGood(prout(f.nexus, 0, 0, KEY_A, 0, 0));
        assertThat(prin(f.other, 1)[21]).isEqualTo((byte) 8);
        assertGood(prout(f.other, 2, 8, KEY_B, 0, 0));
        assertThat(Cdb.u32(prin(f.other, 1), 4)).isZero();
    }

    @Test
    void shouldPreemptARegistrationAndTellItsNexus() {
        assertGood(register(f.nexus, KEY_A));
        assertGood(register(f.other, KEY_B));
        long generation = Cdb.u32(prin(f.nexus, 0), 0);
        f.clearUnitAttentions(f.nexus);
        assertGood(prout(f.other, 4, 3, KEY_B, KEY_A, 0));
        byte[] keys = prin(f.other, 0);
        assertThat(Cdb.u32(keys, 0)).isEqualTo(generation + 1);
        assertThat(Cdb.u32(keys, 4)).isEqualTo(8);
        assertThat(Cdb.u64(keys, 8)).isEqualTo(KEY_B);
        assertSense(f.run(cdb(0, 0, 0, 0, 0, 0)), SenseCode.REGISTRATIONS_PREEMPTED);
    }

    @Test
    void shouldPreemptTheHolderAndTakeOverTheReservation() {
        assertGood(register(f.nexus, KEY_A));
        assertGood(register(f.other, KEY_B));
        assertGood(prout(f.nexus, 1, 3, KEY_A, 0, 0));
        assertConflict(write(f.other));
        assertGood(prout(f.other, 5, 3, KEY_B, KEY_A, 0));
        assertGood(write(f.other));
        assertSense(write(f.nexus), SenseCode.REGISTRATIONS_PREEMPTED);
        assertConflict(write(f.nexus));
        assertThat(Cdb.u64(prin(f.other, 1), 8)).isEqualTo(KEY_B);
    }

    @Test
    void shouldClearEverything() {
        assertGood(register(f.nexus, KEY_A));
        assertGood(register(f.other, KEY_B));
        assertGood(prout(f.nexus, 1, 1, KEY_A, 0, 0));
        assertConflict(prout(f.other, 3, 0, KEY_A, 0, 0));
        assertGood(prout(f.other, 3, 0, KEY_B, 0, 0));
        assertSense(f.run(cdb(0, 0, 0, 0, 0, 0)), SenseCode.RESERVATIONS_PREEMPTED);
        assertThat(Cdb.u32(prin(f.nexus, 0), 4)).isZero();
        assertGood(write(f.nexus));
    }

    @Test
    void shouldAnswerInvalidReleaseForTheWrongType() {
        assertGood(register(f.nexus, KEY_A));
        assertGood(prout(f.nexus, 1, 1, KEY_A, 0, 0));
        assertSense(prout(f.nexus, 2, 3, KEY_A, 0, 0), SenseCode.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
        assertGood(prout(f.nexus, 2, 1, KEY_A, 0, 0));
    }

    @Test
    void shouldKeepRegistrationsAndTheReservationAcrossARestart() {
        assertGood(prout(f.nexus, 6, 0, 0, KEY_A, 0x01));
        assertGood(prout(f.nexus, 1, 3, KEY_A, 0, 0));
        TargetRegistry registry = new TargetRegistry();
        TargetNode node = registry.add(new TargetNode(ScsiFixture.IQN, "test", null, Set.of()));
        node.addLun(new LunDescriptor(0, "vol0", ScsiFixture.naa(1), true, f.unit));
        ScsiTargetDevice restarted = new ScsiTargetDevice(node, registry);
        ScsiResponse blocked = restarted.execute(new ScsiCommand(f.other, 1, 0, ScsiFixture.read10(0, 1),
                TaskAttribute.SIMPLE, 512, java.nio.ByteBuffer.allocate(0))).join();
        assertConflict(blocked);
        ScsiResponse reservation = restarted.execute(new ScsiCommand(f.nexus, 2, 0,
                cdb(0x5E, 1, 0, 0, 0, 0, 0, 0x10, 0, 0), TaskAttribute.SIMPLE, 4096,
                java.nio.ByteBuffer.allocate(0))).join();
        assertThat(Cdb.u64(data(reservation), 8)).isEqualTo(KEY_A);
        assertThat(prin(f.nexus, 2)[3] & 1).as("PTPL_A").isEqualTo(1);
    }
}
