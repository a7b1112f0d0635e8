package io.tidemark.replicator.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny TCP relay between a dialer and a listener, for tests: it can flip one byte of the
 * dialer-to-listener stream, or stall (stop forwarding in both directions) until closed.
 */
final class TcpRelay implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicLong forwardedUp = new AtomicLong();
    private volatile long flipAt = -1;
    private volatile boolean stalled;
    private final CountDownLatch closing = new CountDownLatch(1);
    final CountDownLatch flipped = new CountDownLatch(1);

    TcpRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        start(this::acceptLoop, "relay-accept");
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Flips the byte {@code afterBytes} past what the dialer has sent so far. */
    void flipUpstreamByteAfter(long afterBytes) {
        flipAt = forwardedUp.get() + afterBytes;
    }

    void stall() {
        stalled = true;
    }

    private void start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void acceptLoop() {
        try {
            while (!server.isClosed()) {
                Socket down = server.accept();
                Socket up = new Socket(target.getAddress(), target.getPort());
                sockets.add(down);
                sockets.add(up);
                start(() -> pump(down, up, true), "relay-up");
                start(() -> pump(up, down, false), "relay-down");
            }
        } catch (IOException closed) {
            // relay closed
        }
    }

    private void pump(Socket from, Socket to, boolean upstream) {
        byte[] buf = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (stalled) {
                    closing.await();
                    return;
                }
                if (upstream) {
                    long start = forwardedUp.get();
                    long at = flipAt;
                    if (at >= start && at < start + n) {
                        buf[(int) (at - start)] ^= 0x40;
                        flipAt = -1;
                        flipped.countDown();
                    }
                    forwardedUp.addAndGet(n);
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // a side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws Exception {
        closing.countDown();
        server.close();
        sockets.forEach(TcpRelay::closeQuietly);
        for (Thread t : threads) {
            t.join(5000);
        }
    }
}
