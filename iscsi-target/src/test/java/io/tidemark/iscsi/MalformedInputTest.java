package io.tidemark.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.iscsi.client.IscsiTestClient;
import io.tidemark.iscsi.client.IscsiTestClient.Pdu;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The acceptance for bad input: every case either gets an answer (Reject, CHECK CONDITION)
 * and the session goes on, or only the offending connection is closed and counted once,
 * while another session logged in at the same time keeps being served.
 */
class MalformedInputTest {

    private TestPortal portal;
    private IscsiTestClient bystander;

    @BeforeEach
    void start() throws Exception {
        portal = new TestPortal();
        bystander = portal.connect().isid(new byte[] {0x40, 0, 0, 0, 0, 9});
        assertThat(bystander.login(IscsiTestClient.Login.none(TestPortal.DISK).digests(true, true))).isZero();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            int itt = bystander.nextItt();
            bystander.send(bystander.nopOut(itt), "still there?".getBytes());
            Pdu p = bystander.read();
            while (p.opcode() == 0x20 && p.itt() == -1) {
                p = bystander.read();
            }
            assertThat(p.itt()).as("the other session is still served").isEqualTo(itt);
            assertThat(p.text()).isEqualTo("still there?");
        } finally {
            bystander.close();
            portal.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "\0\0\0\0", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void shouldCloseAConnectionSendingGarbageBeforeLogin(String garbage) throws Exception {
        try (IscsiTestClient c = portal.connect()) {
            byte[] bytes = Arrays.copyOf(garbage.getBytes(StandardCharsets.US_ASCII), 96);
            c.sendRaw(bytes);
            assertThat(c.closedByTarget()).isTrue();
        }
        awaitBadConnections(1);
    }

    @Test
    void shouldCloseAConnectionThatEndsInsideAPdu() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            byte[] cmd = c.scsiCommand(c.nextItt(), 0x80, 0, 0, new byte[6]);
            c.sendRaw(Arrays.copyOf(cmd, 20));
        }
        awaitBadConnections(1);
    }

    @Test
    void shouldCloseALoginThatNeverCompletes() throws Exception {
        portal.close();
        bystander.close();
        portal = new TestPortal(Duration.ofMillis(300));
        bystander = portal.connect().isid(new byte[] {0x40, 0, 0, 0, 0, 9});
        assertThat(bystander.login(IscsiTestClient.Login.none(TestPortal.DISK))).isZero();
        try (IscsiTestClient c = portal.connect()) {
            c.sendRaw(new byte[30]);
            assertThat(c.closedByTarget()).isTrue();
        }
        awaitBadConnections(1);
    }

    @Test
    void shouldRejectAnUnknownOpcodeAndCarryOn() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            byte[] bhs = c.nopOut(c.nextItt());
            bhs[0] = 0x4c;
            c.send(bhs, null);
            Pdu reject = c.read();
            assertThat(reject.opcode()).isEqualTo(0x3f);
            assertThat(reject.byteAt(2)).isEqualTo(0x05);
            assertThat(reject.data()[0]).isEqualTo((byte) 0x4c);
            assertAlive(c);
        }
        assertThat(portal.server.badConnections()).isZero();
    }

    @Test
    void shouldRejectSnackAtErrorRecoveryLevelZero() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            byte[] bhs = new byte[48];
            bhs[0] = 0x10;
            bhs[1] = (byte) 0x80;
            c.send(bhs, null);
            Pdu reject = c.read();
            assertThat(reject.opcode()).isEqualTo(0x3f);
            assertThat(reject.byteAt(2)).isEqualTo(0x04);
            assertAlive(c);
        }
    }

    @Test
    void shouldCloseTheConnectionOnAHeaderDigestMismatch() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(true, false)) {
            byte[] bhs = c.nopOut(c.nextItt());
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            raw.write(bhs);
            raw.write(new byte[] {1, 2, 3, 4});
            c.sendRaw(raw.toByteArray());
            assertThat(c.closedByTarget()).isTrue();
        }
        awaitBadConnections(1);
    }

    @Test
    void shouldRejectDataOutWithADataDigestMismatchAndFailItsCommand() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(true, true)) {
            int itt = c.nextItt();
            c.send(c.scsiCommand(itt, 0x20, 0, 2048, IscsiTestClient.rw10(0x2a, 0, 4)), new byte[1024]);
            byte[] bhs = c.dataOut(itt, -1, 0, 1024, true);
            bhs[7] = 0;
            bhs[6] = 4;
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            raw.write(bhs);
            raw.write(IscsiTestClient.crcBytes(bhs, 0, 48, 0));
            raw.write(new byte[1024]);
            raw.write(new byte[] {9, 9, 9, 9});
            c.sendRaw(raw.toByteArray());
            Pdu reject = c.read();
            assertThat(reject.opcode()).isEqualTo(0x3f);
            assertThat(reject.byteAt(2)).isEqualTo(0x02);
            assertCheckCondition(c.read(), itt, 0x0b);
            assertAlive(c);
        }
    }

    @Test
    void shouldRejectDataOutBeyondTheExpectedTransferLength() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            int itt = c.nextItt();
            c.send(c.scsiCommand(itt, 0x20, 0, 1024, IscsiTestClient.rw10(0x2a, 0, 2)), new byte[512]);
            c.send(c.dataOut(itt, -1, 0, 512, true), new byte[1024]);
            Pdu reject = c.read();
            assertThat(reject.opcode()).isEqualTo(0x3f);
            assertThat(reject.byteAt(2)).isEqualTo(0x04);
            assertCheckCondition(c.read(), itt, 0x0b);
            assertAlive(c);
        }
    }

    @Test
    void shouldRejectDataOutBeyondTheR2tItAnswers() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            int itt = c.nextItt();
            int edtl = 64 * 1024;
            c.send(c.scsiCommand(itt, 0xa0, 0, edtl, IscsiTestClient.rw10(0x2a, 0, edtl / 512)), new byte[8192]);
            Pdu r2t = c.read();
            assertThat(r2t.opcode()).isEqualTo(0x31);
            assertThat(r2t.intAt(40)).isEqualTo(8192);
            byte[] bhs = c.dataOut(itt, r2t.intAt(20), 0, 8192 + r2t.intAt(44) - 512, true);
            c.send(bhs, new byte[1024]);
            assertThat(c.readUntil(0x3f).byteAt(2)).isEqualTo(0x04);
            assertCheckCondition(c.readUntil(0x21), itt, 0x0b);
            assertAlive(c);
        }
    }

    @Test
    void shouldRejectImmediateDataBeyondFirstBurstLength() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            int itt = c.nextItt();
            c.send(c.scsiCommand(itt, 0xa0, 0, 32768, IscsiTestClient.rw10(0x2a, 0, 64)), new byte[20000]);
            Pdu reject = c.read();
            assertThat(reject.opcode()).isEqualTo(0x3f);
            assertThat(reject.byteAt(2)).isEqualTo(0x04);
            assertAlive(c);
        }
    }

    @Test
    void shouldRejectADataSegmentLongerThanMaxRecvDataSegmentLength() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, true)) {
            int itt = c.nextItt();
            c.send(c.nopOut(itt), new byte[262144 + 4]);
            Pdu reject = c.read();
            assertThat(reject.opcode()).isEqualTo(0x3f);
            assertThat(reject.byteAt(2)).isEqualTo(0x04);
            assertAlive(c);
        }
    }

    @Test
    void shouldIgnoreCommandsOutsideTheCmdSnWindow() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            int early = c.nextItt();
            byte[] tooHigh = c.scsiCommand(early, 0x80, 0, 0, new byte[6]);
            IscsiTestClient.putInt(tooHigh, 24, c.maxCmdSn() + 10);
            c.send(tooHigh, null);
            byte[] tooLow = c.scsiCommand(c.nextItt(), 0x80, 0, 0, new byte[6]);
            IscsiTestClient.putInt(tooLow, 24, c.cmdSn() - 100);
            c.send(tooLow, null);
            int good = c.nextItt();
            IscsiTestClient.putInt(tooHigh, 24, 0);
            byte[] inWindow = c.scsiCommand(good, 0x80, 0, 0, new byte[6]);
            IscsiTestClient.putInt(inWindow, 24, c.cmdSn() - 3);
            c.send(inWindow, null);
            Pdu p = c.read();
            assertThat(p.opcode()).isEqualTo(0x21);
            assertThat(p.itt()).as("only the in-window command is answered").isEqualTo(good);
        }
        assertThat(portal.server.badConnections()).isZero();
    }

    @Test
    void shouldRejectTheImmediateDataOfACommandWithADataDigestMismatch() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, true)) {
            int itt = c.nextItt();
            byte[] bhs = c.scsiCommand(itt, 0xa0, 0, 512, IscsiTestClient.rw10(0x2a, 0, 1));
            bhs[6] = 2;
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            raw.write(bhs);
            raw.write(new byte[512]);
            raw.write(new byte[] {1, 1, 1, 1});
            c.sendRaw(raw.toByteArray());
            Pdu reject = c.read();
            assertThat(reject.opcode()).isEqualTo(0x3f);
            assertThat(reject.byteAt(2)).isEqualTo(0x02);
            assertAlive(c);
        }
    }

    private static void assertCheckCondition(Pdu p, int itt, int senseKey) {
        assertThat(p.opcode()).isEqualTo(0x21);
        assertThat(p.itt()).isEqualTo(itt);
        assertThat(p.byteAt(3)).isEqualTo(0x02);
        assertThat(p.data()[4] & 0x0f).isEqualTo(senseKey);
    }

    private static void assertAlive(IscsiTestClient c) throws Exception {
        int itt = c.nextItt();
        c.send(c.nopOut(itt), null);
        Pdu p = c.readUntil(0x20);
        assertThat(p.itt()).isEqualTo(itt);
    }

    private void awaitBadConnections(long n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (portal.server.badConnections() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(portal.server.badConnections()).as("bad connections counted (one log line each)").isEqualTo(n);
    }
}
