package io.tidemark.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.iscsi.client.IscsiTestClient;
import io.tidemark.iscsi.client.IscsiTestClient.Login;
import io.tidemark.iscsi.client.IscsiTestClient.Pdu;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IscsiServerTest {

    private TestPortal portal;

    @BeforeEach
    void start() throws Exception {
        portal = new TestPortal();
    }

    @AfterEach
    void stop() {
        portal.close();
    }

    @Test
    void shouldLogInWithoutAuthenticationAndListTheSession() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            assertThat(c.tsih()).isNotZero();
            assertThat(c.lastLoginKeys()).containsEntry("HeaderDigest", "None")
                    .containsEntry("MaxRecvDataSegmentLength", "262144");
            assertThat(portal.server.sessions()).singleElement().satisfies(s -> {
                assertThat(s.targetName()).isEqualTo(TestPortal.DISK);
                assertThat(s.initiatorName()).isEqualTo(IscsiTestClient.INITIATOR);
                assertThat(s.tsih()).isEqualTo(c.tsih());
                assertThat(s.isid()).isEqualTo("400000123456");
            });
            assertThat(portal.disk().events).anyMatch(e -> e.startsWith("nexusCreated:"));
        }
    }

    @ParameterizedTest(name = "{0} -> 0x{1}")
    @CsvSource({
            "iqn.2026-11.io.tidemark.test:nothing, 0203",
            TestPortal.PRIVATE + ", 0202",
            TestPortal.CHAP + ", 0201"})
    void shouldRefuseLoginsWithTheRightStatus(String target, String status) throws Exception {
        try (IscsiTestClient c = portal.connect()) {
            assertThat(c.login(Login.none(target))).isEqualTo(Integer.parseInt(status, 16));
            assertThat(c.closedByTarget()).isTrue();
        }
        assertThat(portal.server.sessions()).isEmpty();
    }

    @Test
    void shouldLogInWithChapAndTheRightSecret() throws Exception {
        try (IscsiTestClient c = portal.connect()) {
            assertThat(c.login(Login.none(TestPortal.CHAP).chap(TestPortal.CHAP_USER, TestPortal.CHAP_SECRET)))
                    .isZero();
            assertThat(portal.server.sessions()).singleElement()
                    .satisfies(s -> assertThat(s.authMethod()).isEqualTo("CHAP"));
        }
    }

    @Test
    void shouldAuthenticateItselfWithMutualChap() throws Exception {
        try (IscsiTestClient c = portal.connect()) {
            assertThat(c.login(Login.none(TestPortal.CHAP).chap(TestPortal.CHAP_USER, TestPortal.CHAP_SECRET)
                    .mutual(TestPortal.MUTUAL_SECRET))).isZero();
            assertThat(c.lastLoginKeys()).containsKey("HeaderDigest");
        }
    }

    @Test
    void shouldRefuseChapWithAWrongSecret() throws Exception {
        try (IscsiTestClient c = portal.connect()) {
            assertThat(c.login(Login.none(TestPortal.CHAP).chap(TestPortal.CHAP_USER, "wrongsecret123")))
                    .isEqualTo(0x0201);
            assertThat(c.closedByTarget()).isTrue();
        }
    }

    @Test
    void shouldListOnlyAllowedTargetsInDiscovery() throws Exception {
        try (IscsiTestClient c = portal.connect()) {
            assertThat(c.login(Login.discovery())).isZero();
            byte[] text = c.textRequest(c.nextItt(), -1);
            c.send(text, IscsiTestClient.text(Map.of("SendTargets", "All")));
            Pdu r = c.readUntil(0x24);
            String answer = r.text();
            int port = portal.address().getPort();
            assertThat(answer).contains("TargetName=" + TestPortal.DISK + "\0TargetAddress=127.0.0.1:" + port + ",1\0")
                    .contains("TargetName=" + TestPortal.CHAP)
                    .doesNotContain(TestPortal.PRIVATE);
            assertThat(r.flags() & 0x80).isEqualTo(0x80);
            assertThat(portal.server.sessions()).singleElement().satisfies(s -> assertThat(s.discovery()).isTrue());
        }
    }

    @ParameterizedTest(name = "header digest {0}, data digest {1}, {2} blocks")
    @CsvSource({"false, false, 1", "true, true, 1", "true, true, 24", "false, true, 200", "true, false, 129",
            "true, true, 6144"})
    void shouldWriteAndReadBackThroughEveryDataPath(boolean header, boolean data, int blocks) throws Exception {
        byte[] payload = new byte[blocks * 512];
        new Random(blocks).nextBytes(payload);
        try (IscsiTestClient c = portal.loggedIn(header, data)) {
            write(c, 8, payload);
            assertThat(portal.disk().read(8, blocks)).isEqualTo(payload);
            assertThat(read(c, 8, blocks)).isEqualTo(payload);
        }
    }

    @Test
    void shouldSplitDataInAtTheInitiatorsSegmentLengthWithStatusInTheLastPdu() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            int itt = c.nextItt();
            c.send(c.scsiCommand(itt, 0xc0, 0, 40 * 512, IscsiTestClient.rw10(0x28, 0, 40)), null);
            int pdus = 0;
            for (;;) {
                Pdu p = c.read();
                assertThat(p.opcode()).isEqualTo(0x25);
                assertThat(p.data().length).isLessThanOrEqualTo(8192);
                assertThat(p.intAt(36)).isEqualTo(pdus);
                pdus++;
                if ((p.flags() & 0x01) != 0) {
                    assertThat(p.byteAt(3)).isZero();
                    assertThat(p.flags() & 0x06).isZero();
                    break;
                }
            }
            assertThat(pdus).isEqualTo(3);
        }
    }

    @Test
    void shouldReportUnderflowWhenLessDataThanExpected() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            int itt = c.nextItt();
            c.send(c.scsiCommand(itt, 0xc0, 0, 255, new byte[] {0x12, 0, 0, 0, (byte) 255, 0}), null);
            Pdu p = c.read();
            assertThat(p.opcode()).isEqualTo(0x25);
            assertThat(p.data()).hasSize(36);
            assertThat(p.flags() & 0x03).isEqualTo(0x03);
            assertThat(p.intAt(44)).isEqualTo(255 - 36);
        }
    }

    @Test
    void shouldReportOverflowAndSendOnlyTheExpectedLength() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            int itt = c.nextItt();
            c.send(c.scsiCommand(itt, 0xc0, 0, 512, IscsiTestClient.rw10(0x28, 0, 2)), null);
            Pdu p = c.read();
            assertThat(p.opcode()).isEqualTo(0x25);
            assertThat(p.data()).hasSize(512);
            assertThat(p.flags() & 0x07).as("S and O").isEqualTo(0x05);
            assertThat(p.intAt(44)).isEqualTo(512);
        }
    }

    @Test
    void shouldReportNoResidualForAWriteOfExactlyTheExpectedLength() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            int itt = c.nextItt();
            c.send(c.scsiCommand(itt, 0xa0, 0, 1024, IscsiTestClient.rw10(0x2a, 3, 2)), new byte[1024]);
            Pdu p = c.read();
            assertThat(p.opcode()).isEqualTo(0x21);
            assertThat(p.flags() & 0x06).isZero();
            assertThat(p.intAt(44)).isZero();
        }
    }

    @Test
    void shouldAnswerCheckConditionWithSenseInAScsiResponse() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(true, true)) {
            int itt = c.nextItt();
            c.send(c.scsiCommand(itt, 0x80, 0, 0, new byte[] {(byte) 0xee, 0, 0, 0, 0, 0}), null);
            Pdu p = c.read();
            assertThat(p.opcode()).isEqualTo(0x21);
            assertThat(p.itt()).isEqualTo(itt);
            assertThat(p.byteAt(3)).isEqualTo(0x02);
            assertThat(ByteBuffer.wrap(p.data()).getShort()).isEqualTo((short) 18);
            assertThat(p.data()[2 + 2]).isEqualTo((byte) 0x05);
        }
    }

    @Test
    void shouldEchoNopOutData() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(true, true)) {
            int itt = c.nextItt();
            c.send(c.nopOut(itt), "ping!".getBytes());
            Pdu p = c.read();
            assertThat(p.opcode()).isEqualTo(0x20);
            assertThat(p.itt()).isEqualTo(itt);
            assertThat(p.intAt(20)).isEqualTo(-1);
            assertThat(p.text()).isEqualTo("ping!");
        }
    }

    @Test
    void shouldAnswerLogoutAndClose() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            int itt = c.nextItt();
            c.send(c.logout(itt), null);
            Pdu p = c.read();
            assertThat(p.opcode()).isEqualTo(0x26);
            assertThat(p.byteAt(2)).isZero();
            assertThat(c.closedByTarget()).isTrue();
        }
        awaitNoSessions();
    }

    @Test
    void shouldReplaceASessionLoggingInAgainWithTheSameIsid() throws Exception {
        try (IscsiTestClient first = portal.loggedIn(false, false); IscsiTestClient second = portal.loggedIn(false, false)) {
            assertThat(first.closedByTarget()).isTrue();
            assertThat(second.tsih()).isNotEqualTo(first.tsih());
            int itt = second.nextItt();
            second.send(second.nopOut(itt), null);
            assertThat(second.read().itt()).isEqualTo(itt);
            var events = portal.disk().events;
            assertThat(events.stream().filter(e -> e.startsWith("nexus")).toList())
                    .startsWith("nexusCreated:" + IscsiTestClient.INITIATOR + ",i,0x400000123456",
                            "nexusLost:" + IscsiTestClient.INITIATOR + ",i,0x400000123456",
                            "nexusCreated:" + IscsiTestClient.INITIATOR + ",i,0x400000123456");
            assertThat(portal.server.sessions()).singleElement()
                    .satisfies(s -> assertThat(s.tsih()).isEqualTo(second.tsih()));
        }
    }

    @Test
    void shouldAskSessionsToLogOutWhenClosing() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            Thread closer = new Thread(portal::close);
            closer.start();
            Pdu p = c.read();
            assertThat(p.opcode()).isEqualTo(0x32);
            assertThat(p.byteAt(36)).isEqualTo(1);
            c.send(c.logout(c.nextItt()), null);
            assertThat(c.readUntil(0x26).byteAt(2)).isZero();
            closer.join(10_000);
            assertThat(closer.isAlive()).isFalse();
        }
    }

    @Test
    void shouldPingAnIdleInitiatorAndCloseWhenItNeverAnswers() throws Exception {
        portal.close();
        portal = new TestPortal(Duration.ofMillis(300));
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            Pdu ping = c.read();
            assertThat(ping.opcode()).isEqualTo(0x20);
            assertThat(ping.itt()).isEqualTo(-1);
            assertThat(ping.intAt(20)).isNotEqualTo(-1);
            assertThat(c.closedByTarget()).isTrue();
        }
    }

    @Test
    void shouldKeepAnInitiatorThatAnswersPings() throws Exception {
        portal.close();
        portal = new TestPortal(Duration.ofMillis(200));
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            for (int i = 0; i < 4; i++) {
                Pdu ping = c.read();
                assertThat(ping.opcode()).isEqualTo(0x20);
                byte[] answer = c.nopOut(-1);
                IscsiTestClient.putInt(answer, 20, ping.intAt(20));
                c.send(answer, null);
            }
            int itt = c.nextItt();
            c.send(c.nopOut(itt), null);
            assertThat(c.readUntil(0x20).itt()).isIn(itt, -1);
        }
    }

    @Test
    void shouldKeep128CommandsInFlightPerSession() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, false)) {
            assertThat(c.maxCmdSn() - c.cmdSn() + 1).isGreaterThanOrEqualTo(128);
            java.util.Set<Integer> sent = new java.util.HashSet<>();
            for (int i = 0; i < 128; i++) {
                int itt = c.nextItt();
                sent.add(itt);
                c.send(c.scsiCommand(itt, 0xc0, 0, 512, IscsiTestClient.rw10(0x28, i, 1)), null);
            }
            java.util.Set<Integer> answered = new java.util.HashSet<>();
            while (answered.size() < 128) {
                Pdu p = c.read();
                assertThat(p.opcode()).isEqualTo(0x25);
                answered.add(p.itt());
            }
            assertThat(answered).isEqualTo(sent);
            assertThat(c.maxCmdSn() - c.cmdSn() + 1).as("window open again").isGreaterThanOrEqualTo(128);
        }
    }

    @Test
    void shouldHoldBackAndThenDeliverEverythingToASlowReader() throws Exception {
        try (IscsiTestClient c = portal.loggedIn(false, true)) {
            int commands = 128;
            int blocks = 512;
            for (int i = 0; i < commands; i++) {
                c.send(c.scsiCommand(c.nextItt(), 0xc0, 0, blocks * 512, IscsiTestClient.rw10(0x28, i * 64, blocks)), null);
            }
            int statuses = 0;
            long bytes = 0;
            while (statuses < commands) {
                Pdu p = c.read();
                assertThat(p.opcode()).isEqualTo(0x25);
                bytes += p.data().length;
                if ((p.flags() & 0x01) != 0) {
                    statuses++;
                }
            }
            assertThat(bytes).isEqualTo((long) commands * blocks * 512);
        }
    }

    @Test
    void shouldSendALongSendTargetsAnswerInPieces() throws Exception {
        for (int i = 0; i < 150; i++) {
            portal.registry.add(new TargetNode("iqn.2026-11.io.tidemark.test:many-" + i, null, null, java.util.Set.of()));
        }
        try (IscsiTestClient c = portal.connect()) {
            assertThat(c.login(Login.discovery())).isZero();
            int itt = c.nextItt();
            c.send(c.textRequest(itt, -1), IscsiTestClient.text(Map.of("SendTargets", "All")));
            StringBuilder all = new StringBuilder();
            int pieces = 0;
            for (;;) {
                Pdu r = c.readUntil(0x24);
                pieces++;
                assertThat(r.data().length).isLessThanOrEqualTo(8192);
                all.append(r.text());
                if ((r.flags() & 0x40) == 0) {
                    assertThat(r.flags() & 0x80).isEqualTo(0x80);
                    break;
                }
                c.send(c.textRequest(itt, r.intAt(20)), null);
            }
            assertThat(pieces).isGreaterThan(1);
            assertThat(all.toString().split("TargetName=", -1)).as("150 + disk + chap, not private").hasSize(153);
            assertThat(all.toString()).contains("TargetName=iqn.2026-11.io.tidemark.test:many-149\0TargetAddress=");
        }
    }

    void awaitNoSessions() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!portal.server.sessions().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(portal.server.sessions()).isEmpty();
    }

    /** WRITE(10) with immediate data, unsolicited Data-Out and R2Ts as the target asks. */
    static void write(IscsiTestClient c, long lba, byte[] payload) throws Exception {
        int itt = c.nextItt();
        int edtl = payload.length;
        int firstBurst = Math.min(16384, edtl);
        int immediate = Math.min(8192, firstBurst);
        boolean unsolicited = firstBurst > immediate;
        c.send(c.scsiCommand(itt, unsolicited ? 0x20 : 0xa0, 0, edtl,
                IscsiTestClient.rw10(0x2a, lba, edtl / 512)), Arrays.copyOf(payload, immediate));
        if (unsolicited) {
            c.send(c.dataOut(itt, -1, 0, immediate, true), Arrays.copyOfRange(payload, immediate, firstBurst));
        }
        for (;;) {
            Pdu p = c.read();
            if (p.opcode() == 0x21) {
                assertThat(p.byteAt(3)).as("status").isZero();
                assertThat(p.itt()).isEqualTo(itt);
                return;
            }
            assertThat(p.opcode()).isEqualTo(0x31);
            int ttt = p.intAt(20);
            int offset = p.intAt(40);
            int length = p.intAt(44);
            int dataSn = 0;
            for (int o = offset; o < offset + length; o += 8192) {
                int n = Math.min(8192, offset + length - o);
                c.send(c.dataOut(itt, ttt, dataSn++, o, o + n == offset + length), Arrays.copyOfRange(payload, o, o + n));
            }
        }
    }

    static byte[] read(IscsiTestClient c, long lba, int blocks) throws Exception {
        int itt = c.nextItt();
        c.send(c.scsiCommand(itt, 0xc0, 0, blocks * 512, IscsiTestClient.rw10(0x28, lba, blocks)), null);
        byte[] out = new byte[blocks * 512];
        for (;;) {
            Pdu p = c.read();
            assertThat(p.opcode()).isEqualTo(0x25);
            System.arraycopy(p.data(), 0, out, p.intAt(40), p.data().length);
            if ((p.flags() & 0x01) != 0) {
                assertThat(p.byteAt(3)).isZero();
                return out;
            }
        }
    }
}
