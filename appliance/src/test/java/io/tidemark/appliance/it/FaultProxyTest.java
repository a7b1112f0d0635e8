package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The replication tests' fault proxy against a loopback echo server: relay, cut, stall, flip. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultProxyTest {

    private ServerSocket echo;
    private Thread echoAcceptor;
    private final Set<Socket> echoed = ConcurrentHashMap.newKeySet();
    private FaultProxy proxy;

    @BeforeEach
    void startEchoServerAndProxy() throws IOException {
        echo = new ServerSocket();
        echo.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        echoAcceptor = new Thread(this::echoLoop, "echo-accept");
        echoAcceptor.setDaemon(true);
        echoAcceptor.start();
        proxy = FaultProxy.start(echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException, InterruptedException {
        proxy.close();
        echo.close();
        for (Socket s : echoed) {
            s.close();
        }
        echoAcceptor.join(5_000);
        assertThat(echoAcceptor.isAlive()).as("echo acceptor stopped").isFalse();
    }

    @Test
    void relaysBytesBothWaysUnchanged() throws IOException {
        byte[] sent = random(200_000, 1);
        try (Socket client = dial()) {
            byte[] back = exchange(client, sent);
            assertThat(back).isEqualTo(sent);
        }
        assertThat(proxy.forwardedBytes(FaultProxy.Direction.TO_UPSTREAM)).isEqualTo(sent.length);
        assertThat(proxy.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void cutAllClosesLiveConnectionsAndANewConnectionIsRelayedAgain() throws IOException {
        try (Socket client = dial()) {
            exchange(client, new byte[] {1, 2, 3});
            awaitLive(1);

            assertThat(proxy.cutAll()).isEqualTo(1);

            client.setSoTimeout(5_000);
            assertThat(client.getInputStream().read()).as("read after the cut: end of stream").isEqualTo(-1);
        }
        try (Socket again = dial()) {
            assertThat(exchange(again, new byte[] {4, 5})).containsExactly(4, 5);
        }
        assertThat(proxy.acceptedConnections()).isEqualTo(2);
    }

    @Test
    void stallHoldsEveryByteUntilItEndsThenDeliversThemInOrder() throws Exception {
        try (Socket client = dial()) {
            exchange(client, new byte[] {9});
            CompletableFuture<Void> release = new CompletableFuture<>();
            var resumed = proxy.stallUntil(release);
            byte[] sent = random(10_000, 2);
            client.getOutputStream().write(sent);
            client.setSoTimeout(300);

            assertThatThrownBy(() -> client.getInputStream().read())
                    .as("nothing comes back while stalled").isInstanceOf(SocketTimeoutException.class);

            release.complete(null);
            resumed.get(5, TimeUnit.SECONDS);
            client.setSoTimeout(5_000);
            assertThat(client.getInputStream().readNBytes(sent.length)).isEqualTo(sent);
        }
    }

    @Test
    void aTimedStallEndsByItself() throws Exception {
        try (Socket client = dial()) {
            proxy.stall(Duration.ofMillis(100)).get(5, TimeUnit.SECONDS);
            assertThat(exchange(client, new byte[] {7})).containsExactly(7);
        }
    }

    @Test
    void corruptFlipsExactlyOneByteWithinTheNextNBytesAndReportsItsOffset() throws Exception {
        try (Socket client = dial()) {
            byte[] warmup = random(1_000, 3);
            exchange(client, warmup);
            var flipped = proxy.corrupt(FaultProxy.Direction.TO_UPSTREAM, 4_096, 42);
            byte[] sent = random(50_000, 4);

            byte[] back = exchange(client, sent);

            long offset = flipped.get(5, TimeUnit.SECONDS);
            int differing = 0;
            int at = -1;
            for (int i = 0; i < sent.length; i++) {
                if (sent[i] != back[i]) {
                    differing++;
                    at = i;
                }
            }
            assertThat(differing).as("bytes changed").isEqualTo(1);
            assertThat(at).as("position of the flipped byte").isLessThan(4_096);
            assertThat(offset).as("reported stream offset").isEqualTo(warmup.length + at);
            assertThat(exchange(client, sent)).as("later bytes pass unchanged").isEqualTo(sent);
        }
    }

    @Test
    void aConnectionIsClosedWhenTheUpstreamIsDown() throws IOException {
        // port 1 on loopback: nothing listens there (a just-closed ephemeral port may be taken by a parallel test)
        proxy.redirect(1);
        try (Socket client = dial()) {
            client.setSoTimeout(15_000);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    private Socket dial() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Writes {@code data} from a second thread (the echo may block on full buffers) and reads as much back. */
    private static byte[] exchange(Socket client, byte[] data) throws IOException {
        Thread writer = new Thread(() -> {
            try {
                client.getOutputStream().write(data);
            } catch (IOException e) {
                // the read below fails too
            }
        });
        writer.start();
        byte[] back = client.getInputStream().readNBytes(data.length);
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return back;
    }

    private void awaitLive(int connections) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (proxy.liveConnections() != connections) {
            assertThat(System.nanoTime()).as("%d live connections within 5 s: %s", connections, proxy).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private void echoLoop() {
        while (true) {
            Socket s;
            try {
                s = echo.accept();
            } catch (IOException e) {
                return;
            }
            echoed.add(s);
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        out.write(buffer, 0, n);
                    }
                } catch (IOException e) {
                    // peer gone
                }
            }, "echo");
            t.setDaemon(true);
            t.start();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] bytes = new byte[n];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }
}
