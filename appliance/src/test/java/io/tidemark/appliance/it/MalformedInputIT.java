package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bad bytes on the iSCSI port of a real appliance: each bad connection is answered or dropped on
 * its own, within seconds, while an initiator's session next to it keeps working, and the log
 * names the connection without a stack trace. (The protocol module's tests cover each PDU case
 * in depth; this checks the assembled process.)
 */
@ExtendWith(ApplianceLogOnFailure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MalformedInputIT {

    private static final int BHS = 48;
    private static final Duration DROP_LIMIT = Duration.ofSeconds(15);

    /** What a misbehaving client sends, then stops sending. */
    enum BadInput {
        RANDOM_BYTES_BEFORE_LOGIN {
            @Override
            byte[] bytes() {
                byte[] noise = new byte[4096];
                new SplittableRandom(7).nextBytes(noise);
                noise[0] = 0x3f; // not a valid initiator opcode, whatever the random bytes
                return noise;
            }
        },
        HTTP_REQUEST {
            @Override
            byte[] bytes() {
                return "GET / HTTP/1.1\r\nHost: tidemark\r\n\r\n".repeat(4).getBytes(StandardCharsets.US_ASCII);
            }
        },
        TRUNCATED_HEADER {
            @Override
            byte[] bytes() {
                return Arrays.copyOf(loginHeader(0), 20);
            }
        },
        LOGIN_WITH_16_MIB_DATA_SEGMENT {
            @Override
            byte[] bytes() {
                return loginHeader(0xffffff);
            }
        },
        SCSI_COMMAND_BEFORE_LOGIN {
            @Override
            byte[] bytes() {
                byte[] header = new byte[BHS];
                header[0] = 0x01; // SCSI Command
                header[1] = (byte) 0x80;
                header[32] = 0x00; // TEST UNIT READY CDB
                return header;
            }
        };

        abstract byte[] bytes();

        /** A Login Request BHS (immediate, CSG=0 NSG=1, T=1) with this DataSegmentLength. */
        static byte[] loginHeader(int dataSegmentLength) {
            ByteBuffer header = ByteBuffer.allocate(BHS);
            header.put(0, (byte) 0x43);
            header.put(1, (byte) 0x81);
            header.putInt(4, dataSegmentLength & 0xffffff);
            header.put(8, (byte) 0x40); // ISID type random
            header.putInt(20, 0); // CmdSN
            return header.array();
        }
    }

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private ApplianceProcess appliance;
    private Volume volume;
    private OpenQemuIoSession neighbour;

    @BeforeAll
    void startApplianceWithAnInitiatorLoggedIn() throws InterruptedException {
        appliance = ApplianceProcess.start(work.resolve("appliance"));
        volume = appliance.api().createVolume("neighbour", 16L << 20);
        neighbour = new OpenQemuIoSession(appliance.lunUrl(volume));
        neighbour.send("write -P 0x44 0 1M");
        neighbour.awaitOutput("wrote 1048576/1048576 bytes", Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (neighbour != null) {
            neighbour.close();
        }
        if (appliance != null) {
            appliance.close();
        }
    }

    @ParameterizedTest
    @EnumSource(BadInput.class)
    void aBadConnectionIsDroppedAloneAndLoggedWithoutAStackTrace(BadInput input) throws IOException, InterruptedException {
        int clientPort;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ApplianceProcess.HOST, appliance.iscsiPort()), 5000);
            clientPort = socket.getLocalPort();
            socket.getOutputStream().write(input.bytes());
            socket.getOutputStream().flush();
            if (input == BadInput.TRUNCATED_HEADER) {
                socket.shutdownOutput(); // the rest of the header never comes
            }
            assertThat(closedByTargetWithin(socket, DROP_LIMIT))
                    .as("appliance closes the connection that sent %s within %s s", input, DROP_LIMIT.toSeconds())
                    .isTrue();
        }

        neighbour.send("read -P 0x44 0 1M");
        neighbour.awaitOutput("read 1048576/1048576 bytes", Duration.ofSeconds(30));
        assertThat(neighbour.transcript()).as("the neighbouring session's reads").doesNotContain("Pattern verification failed");
        QemuIo.assertRuns(work, appliance.lunUrl(volume), "read -P 0x44 0 1M");
        String log = appliance.logText();
        assertThat(log).as("a log line naming the bad connection 127.0.0.1:%d", clientPort)
                .contains(":" + clientPort);
        assertThat(log.lines().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by:")))
                .as("stack traces in the appliance log").isEmpty();
    }

    /** Reads (and discards whatever the target answers) until EOF, a reset, or the deadline. */
    private static boolean closedByTargetWithin(Socket socket, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            try {
                if (in.read(buffer) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }
        return false;
    }
}
