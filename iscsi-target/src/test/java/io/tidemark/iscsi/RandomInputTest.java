package io.tidemark.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.iscsi.client.IscsiTestClient;
import io.tidemark.iscsi.client.IscsiTestClient.Pdu;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random well-framed PDUs after login (any opcode, flags, tags, offsets, lengths): the
 * target answers or closes that one connection, never hangs, and keeps serving another.
 */
class RandomInputTest {

    private static TestPortal portal;
    private static IscsiTestClient bystander;

    @BeforeAll
    static void start() throws Exception {
        portal = new TestPortal();
        bystander = portal.connect().isid(new byte[] {0x40, 0, 0, 0, 0, 9});
        assertThat(bystander.login(IscsiTestClient.Login.none(TestPortal.DISK))).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        bystander.close();
        portal.close();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void shouldSurviveRandomPdus(int seed) throws Exception {
        Random random = new Random(seed);
        try (IscsiTestClient c = portal.connect()) {
            assertThat(c.login(IscsiTestClient.Login.none(TestPortal.DISK).digests(seed % 2 == 0, seed % 3 == 0)))
                    .isZero();
            try {
                for (int i = 0; i < 40; i++) {
                    byte[] bhs = new byte[48];
                    random.nextBytes(bhs);
                    bhs[4] = 0;
                    if (random.nextBoolean()) {
                        // keep CmdSN near the window so some reach the handlers behind it
                        IscsiTestClient.putInt(bhs, 24, c.cmdSn() + random.nextInt(4) - 1);
                    }
                    if (random.nextInt(3) == 0) {
                        bhs[0] = (byte) (random.nextBoolean() ? 0x05 : 0x01);
                    }
                    byte[] data = new byte[random.nextInt(3) == 0 ? random.nextInt(9000) : 0];
                    random.nextBytes(data);
                    c.send(bhs, data);
                }
                int itt = 0x7fff0000 + seed;
                c.send(c.nopOut(itt), null);
                c.timeout(3000);
                for (;;) {
                    Pdu p = c.read();
                    if (p.opcode() == 0x20 && p.itt() == itt) {
                        break;
                    }
                }
            } catch (IOException closedOrTimedOut) {
                assertThat(c.closedByTarget()).as("no answer means the target closed, seed " + seed).isTrue();
            }
        }
        int itt = bystander.nextItt();
        bystander.send(bystander.nopOut(itt), null);
        assertThat(bystander.readUntil(0x20).itt()).isEqualTo(itt);
    }
}
