package io.tidemark.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tidemark.iscsi.IscsiServer;
import io.tidemark.iscsi.IscsiSettings;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.client.IscsiTestClient;
import io.tidemark.iscsi.client.IscsiTestClient.Pdu;
import io.tidemark.iscsi.spi.LunDescriptor;
import io.tidemark.iscsi.spi.MemoryLogicalUnit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A read-only LUN over a real iSCSI session: the test client walks libiscsi's ReadOnly.ReadOnlySBC
 * checks, and iscsi-test-cu's own ReadOnly suite runs against it when libiscsi-bin is installed.
 */
class ReadOnlyLunWireTest {

    private static final String IQN = "iqn.2026-11.io.tidemark:readonly";
    private static final Path TEST_TOOL = Path.of("/usr/bin/iscsi-test-cu");
    private static final Pattern ASSERTS = Pattern.compile("asserts\\s+\\d+\\s+(\\d+)\\s+\\d+\\s+(\\d+)");
    private static final byte[] SEED = ScsiFixture.filled(64 * 512, 'V');

    private final MemoryLogicalUnit memory = new MemoryLogicalUnit(64 * 2048);
    private final ReadOnlyLogicalUnit view = new ReadOnlyLogicalUnit(memory);
    private final IscsiServer server;

    ReadOnlyLunWireTest() throws InterruptedException {
        memory.write(0, ByteBuffer.wrap(SEED), false).join();
        TargetRegistry registry = new TargetRegistry();
        TargetNode node = registry.add(new TargetNode(IQN, "view", null, Set.of()));
        node.addLun(new LunDescriptor(0, "view", ScsiFixture.naa(1), true, view));
        server = new IscsiServer(registry, new IscsiSettings("127.0.0.1", 0, 1, null));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldAnswerWritesWithDataProtectAndKeepServingReadsOnTheSameSession() throws Exception {
        try (IscsiTestClient c = IscsiTestClient.connect(server.localAddress())) {
            assertThat(c.login(IscsiTestClient.Login.none(IQN))).isZero();
            clearUnitAttention(c);
            byte[] modeSense = command(c, new byte[] {0x1A, 0, 0x3F, 0, (byte) 255, 0}, 255, null).data();
            assertThat(modeSense[2] & 0x80).as("WP").isEqualTo(0x80);

            assertWriteProtected(command(c, IscsiTestClient.rw10(0x2A, 0, 1), 512, new byte[512]));
            assertWriteProtected(writeWithR2t(c, 2, 64));
            byte[] atomic = new byte[16];
            atomic[0] = (byte) 0x89;
            atomic[13] = 1;
            assertWriteProtected(command(c, atomic, 1024, new byte[1024]));

            assertThat(read(c, 0, 64)).isEqualTo(SEED);
            assertThat(view.mutations()).isZero();
        }
    }

    @Test
    void shouldPassLibiscsiReadOnlySuite() throws Exception {
        assumeTrue(Files.isExecutable(TEST_TOOL), "iscsi-test-cu (libiscsi-bin) is not installed");
        String url = "iscsi://127.0.0.1:" + server.localAddress().getPort() + "/" + IQN + "/0";
        String output = run(List.of(TEST_TOOL.toString(), "-d", "-v", "-t", "ALL.ReadOnly", url));
        assertThat(output).contains("ReadOnlySBC ...passed").doesNotContain("[SKIPPED]");
        // a skipped test passes too, with a single assert: every refused write is one assert
        Matcher asserts = ASSERTS.matcher(output);
        assertThat(asserts.find()).as("asserts line in %s", output).isTrue();
        assertThat(Integer.parseInt(asserts.group(1))).as("asserts run").isGreaterThanOrEqualTo(11);
        assertThat(asserts.group(2)).as("asserts failed").isEqualTo("0");
        assertThat(view.mutations()).isZero();
        byte[] after = new byte[SEED.length];
        memory.read(0, ByteBuffer.wrap(after)).join();
        assertThat(after).isEqualTo(SEED);
    }

    private static void assertWriteProtected(Pdu response) {
        assertThat(response.opcode()).as("SCSI Response").isEqualTo(0x21);
        assertThat(response.byteAt(3)).as("status").isEqualTo(ScsiResponse.CHECK_CONDITION);
        byte[] sense = Arrays.copyOfRange(response.data(), 2, response.data().length);
        assertThat(SenseData.key(sense)).as("sense key").isEqualTo(0x7);
        assertThat(SenseData.asc(sense)).as("ASC").isEqualTo(0x27);
        assertThat(SenseData.ascq(sense)).as("ASCQ").isZero();
    }

    /** TEST UNIT READY until GOOD: each one reports, and clears, one pending unit attention. */
    private static void clearUnitAttention(IscsiTestClient c) throws IOException {
        int status = -1;
        for (int i = 0; i < 4 && status != 0; i++) {
            status = command(c, new byte[6], 0, null).byteAt(3);
        }
        assertThat(status).as("TEST UNIT READY").isZero();
    }

    /** One command with immediate data (or none); returns the final PDU that carries the status. */
    private static Pdu command(IscsiTestClient c, byte[] cdb, int edtl, byte[] dataOut) throws IOException {
        int itt = c.nextItt();
        int flags = 0x80 | (dataOut != null ? 0x20 : edtl > 0 ? 0x40 : 0);
        c.send(c.scsiCommand(itt, flags, 0, edtl, cdb), dataOut);
        Pdu last;
        do {
            last = c.read();
        } while (last.opcode() == 0x25 && (last.flags() & 0x01) == 0);
        assertThat(last.itt()).isEqualTo(itt);
        return last;
    }

    /** WRITE(10) larger than the immediate data: the target solicits the rest before it answers. */
    private static Pdu writeWithR2t(IscsiTestClient c, long lba, int blocks) throws IOException {
        byte[] payload = ScsiFixture.filled(blocks * 512, 'X');
        int itt = c.nextItt();
        int immediate = 8192;
        c.send(c.scsiCommand(itt, 0x20, 0, payload.length, IscsiTestClient.rw10(0x2A, lba, blocks)),
                Arrays.copyOf(payload, immediate));
        c.send(c.dataOut(itt, -1, 0, immediate, true), Arrays.copyOfRange(payload, immediate, 16384));
        for (;;) {
            Pdu p = c.read();
            if (p.opcode() != 0x31) {
                return p;
            }
            int ttt = p.intAt(20);
            int offset = p.intAt(40);
            int length = p.intAt(44);
            int dataSn = 0;
            for (int o = offset; o < offset + length; o += 8192) {
                int n = Math.min(8192, offset + length - o);
                c.send(c.dataOut(itt, ttt, dataSn++, o, o + n == offset + length),
                        Arrays.copyOfRange(payload, o, o + n));
            }
        }
    }

    private static byte[] read(IscsiTestClient c, long lba, int blocks) throws IOException {
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

    private static String run(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("iscsi-test-cu-readonly", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("iscsi-test-cu did not finish in 2 minutes");
            }
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
