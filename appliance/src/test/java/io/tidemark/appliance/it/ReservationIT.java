package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Persistent reservations as Windows failover clusters and fence_scsi rely on them: registered
 * keys and the reservation (registered with APTPL) survive a stop or a crash of the appliance
 * process, and are still enforced afterwards. No packaged initiator sends PERSISTENT RESERVE,
 * so {@link MinimalInitiator} does.
 */
@ExtendWith(ApplianceLogOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReservationIT {

    private static final String NODE_A = "iqn.2026-11.io.tidemark.test:cluster-node-a";
    private static final String NODE_B = "iqn.2026-11.io.tidemark.test:cluster-node-b";
    private static final long KEY_A = 0xA1A2A3A4A5A6A7A8L;
    private static final long KEY_B = 0xB1B2B3B4B5B6B7B8L;
    private static final int WRITE_EXCLUSIVE = 0x01;
    private static final int RESERVATION_CONFLICT = 0x18;
    private static final int APTPL = 0x01;

    /** How the appliance goes down between reserving and checking. */
    enum Stop { SIGTERM, KILL_9 }

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @ParameterizedTest
    @EnumSource(Stop.class)
    void registrationsAndTheReservationSurviveARestartAndAreStillEnforced(Stop stop) throws IOException {
        try (ApplianceProcess appliance = ApplianceProcess.start(work.resolve("appliance"))) {
            Volume volume = appliance.api().createVolume("clustered", 16L << 20);
            String target = volume.targetIqn(ApplianceProcess.IQN_PREFIX);
            try (MinimalInitiator a = login(appliance, NODE_A, target);
                 MinimalInitiator b = login(appliance, NODE_B, target)) {
                assertGood(a.command(proutCdb(0x00, 0), registration(0, KEY_A), 0), "REGISTER key A (APTPL)");
                assertGood(b.command(proutCdb(0x00, 0), registration(0, KEY_B), 0), "REGISTER key B (APTPL)");
                assertGood(a.command(proutCdb(0x01, WRITE_EXCLUSIVE), registration(KEY_A, 0), 0),
                        "RESERVE Write Exclusive by A");
                assertThat(reservation(a)).as("reservation before the restart").containsExactly(KEY_A, (long) WRITE_EXCLUSIVE);
            }

            if (stop == Stop.SIGTERM) {
                assertThat(appliance.terminate(Duration.ofSeconds(10))).as("exit after SIGTERM").contains(0);
            } else {
                appliance.kill();
            }
            appliance.restart();

            try (MinimalInitiator a = login(appliance, NODE_A, target);
                 MinimalInitiator b = login(appliance, NODE_B, target)) {
                assertThat(keys(a)).as("registered keys after %s and restart", stop).containsExactlyInAnyOrder(KEY_A, KEY_B);
                assertThat(reservation(b)).as("reservation after %s and restart", stop)
                        .containsExactly(KEY_A, (long) WRITE_EXCLUSIVE);
                MinimalInitiator.Result blocked = b.command(write10(), new byte[512], 0);
                assertThat(blocked.status()).as("WRITE from registrant B under A's Write Exclusive: %s", blocked)
                        .isEqualTo(RESERVATION_CONFLICT);
                assertGood(a.command(write10(), new byte[512], 0), "WRITE from the holder A");
            }
        }
    }

    private static MinimalInitiator login(ApplianceProcess appliance, String initiator, String target) throws IOException {
        MinimalInitiator session = MinimalInitiator.login(ApplianceProcess.HOST, appliance.iscsiPort(), initiator, target);
        session.clearUnitAttentions();
        return session;
    }

    private static void assertGood(MinimalInitiator.Result result, String what) {
        assertThat(result.status()).as("%s: %s", what, result).isEqualTo(MinimalInitiator.Result.GOOD);
    }

    /** PERSISTENT RESERVE OUT (10): service action, scope LU, type; a 24-byte parameter list. */
    private static byte[] proutCdb(int serviceAction, int type) {
        return ByteBuffer.allocate(10).put(0, (byte) 0x5f).put(1, (byte) serviceAction).put(2, (byte) type)
                .putInt(5, 24).array();
    }

    /** The basic PR OUT parameter list: reservation key, service action key, APTPL. */
    private static byte[] registration(long key, long serviceActionKey) {
        return ByteBuffer.allocate(24).putLong(0, key).putLong(8, serviceActionKey).put(20, (byte) APTPL).array();
    }

    private static byte[] prinCdb(int serviceAction) {
        return ByteBuffer.allocate(10).put(0, (byte) 0x5e).put(1, (byte) serviceAction).putShort(7, (short) 8192).array();
    }

    /** WRITE (10) of one block at LBA 8. */
    private static byte[] write10() {
        return ByteBuffer.allocate(10).put(0, (byte) 0x2a).putInt(2, 8).putShort(7, (short) 1).array();
    }

    private static List<Long> keys(MinimalInitiator session) throws IOException {
        MinimalInitiator.Result r = session.command(prinCdb(0x00), new byte[0], 8192);
        assertGood(r, "PERSISTENT RESERVE IN / READ KEYS");
        ByteBuffer data = ByteBuffer.wrap(r.data());
        int length = data.getInt(4);
        List<Long> keys = new ArrayList<>();
        for (int offset = 8; offset + 8 <= Math.min(8 + length, r.data().length); offset += 8) {
            keys.add(data.getLong(offset));
        }
        return keys;
    }

    /** [holder key, type], or empty when nothing is reserved. */
    private static List<Long> reservation(MinimalInitiator session) throws IOException {
        MinimalInitiator.Result r = session.command(prinCdb(0x01), new byte[0], 8192);
        assertGood(r, "PERSISTENT RESERVE IN / READ RESERVATION");
        ByteBuffer data = ByteBuffer.wrap(r.data());
        if (data.getInt(4) < 16) {
            return List.of();
        }
        return List.of(data.getLong(8), (long) (data.get(21) & 0x0f));
    }
}
