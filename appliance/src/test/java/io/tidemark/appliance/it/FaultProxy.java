package io.tidemark.appliance.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP relay between two appliances' replication ports that the test can break on purpose:
 * {@link #cutAll() cut} every live connection, {@link #stall stall} (hold every byte, keep the
 * connections open), and {@link #corrupt flip one byte} somewhere in the next N bytes forwarded
 * in one direction. Each accepted connection dials the upstream anew, so a dialer that
 * reconnects after a cut gets a fresh relay. Thread-safe: the test thread drives it while two
 * pump threads per connection forward.
 */
final class FaultProxy implements AutoCloseable {

    /** Which way bytes flow: from the dialing side (the client) to the upstream, or back. */
    enum Direction { TO_UPSTREAM, TO_CLIENT }

    private static final int CHUNK = 16 * 1024;

    private volatile InetSocketAddress upstream;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
    private final Map<Direction, AtomicLong> forwarded = new EnumMap<>(Direction.class);
    private final Map<Direction, AtomicReference<Corruption>> corruptions = new EnumMap<>(Direction.class);
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object gate = new Object();
    private boolean stalled; // guarded by gate
    private volatile boolean closed;

    /** A pending byte flip: {@code remaining} bytes to pass before the flipped one. */
    private static final class Corruption {
        long remaining;
        final int xor;
        final CompletableFuture<Long> done = new CompletableFuture<>();

        Corruption(long remaining, int xor) {
            this.remaining = remaining;
            this.xor = xor;
        }
    }

    private FaultProxy(InetSocketAddress upstream, ServerSocket server) {
        this.upstream = upstream;
        this.server = server;
        for (Direction d : Direction.values()) {
            forwarded.put(d, new AtomicLong());
            corruptions.put(d, new AtomicReference<>());
        }
        acceptor = new Thread(this::acceptLoop, "fault-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
    }

    /** Listens on a free loopback port and relays every connection to {@code upstreamPort} on loopback. */
    static FaultProxy start(int upstreamPort) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            FaultProxy proxy = new FaultProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), server);
            proxy.acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("fault proxy: no listening socket", e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** host:port to give the dialing side. */
    String address() {
        return ApplianceProcess.HOST + ":" + port();
    }

    /** Relays connections accepted from now on to {@code port} on loopback (live ones keep their upstream). */
    void redirect(int port) {
        upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Connections accepted since start (a reconnecting dialer adds one each time). */
    int acceptedConnections() {
        return accepted.get();
    }

    int liveConnections() {
        return relays.size();
    }

    long forwardedBytes(Direction direction) {
        return forwarded.get(direction).get();
    }

    /** Closes every live connection on both sides (a link cut); later connections are relayed again. */
    int cutAll() {
        int cut = 0;
        for (Relay relay : relays) {
            relay.close();
            cut++;
        }
        return cut;
    }

    /**
     * Stops forwarding in both directions for {@code duration} (connections stay open, bytes
     * wait in the proxy and in socket buffers); the future completes when forwarding resumed.
     */
    CompletableFuture<Void> stall(Duration duration) {
        return stallUntil(CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(duration.toMillis(), TimeUnit.MILLISECONDS)));
    }

    /** Stops forwarding until {@code release} completes (either way); the future completes when forwarding resumed. */
    CompletableFuture<Void> stallUntil(CompletableFuture<?> release) {
        synchronized (gate) {
            stalled = true;
        }
        return release.handle((ignored, failure) -> {
            resume();
            return null;
        });
    }

    private void resume() {
        synchronized (gate) {
            stalled = false;
            gate.notifyAll();
        }
    }

    /**
     * Flips the bits {@code xor} (non-zero) of one byte among the next {@code withinBytes}
     * forwarded in {@code direction}, at a position drawn from {@code seed}. The future completes
     * with the stream offset (in that direction, since start) of the flipped byte once it went out.
     */
    CompletableFuture<Long> corrupt(Direction direction, long withinBytes, long seed) {
        if (withinBytes < 1) {
            throw new IllegalArgumentException("withinBytes: " + withinBytes + " (expected: >= 1)");
        }
        SplittableRandom random = new SplittableRandom(seed);
        Corruption corruption = new Corruption(random.nextLong(withinBytes), 1 + random.nextInt(255));
        if (!corruptions.get(direction).compareAndSet(null, corruption)) {
            throw new IllegalStateException("a corruption toward " + direction + " is already pending");
        }
        return corruption.done;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            Socket up = new Socket();
            try {
                client.setTcpNoDelay(true);
                up.setTcpNoDelay(true);
                up.connect(upstream, 5_000);
            } catch (IOException e) {
                // the upstream is down (e.g. the DR appliance was killed): the dialer sees a closed connection
                closeQuietly(up);
                closeQuietly(client);
                continue;
            }
            Relay relay = new Relay(client, up);
            relays.add(relay);
            relay.start();
        }
    }

    /** Waits while stalled; false when the proxy or relay closed meanwhile. */
    private boolean awaitOpenGate(Relay relay) throws InterruptedException {
        synchronized (gate) {
            while (stalled && !closed && !relay.closed) {
                gate.wait(100);
            }
        }
        return !closed && !relay.closed;
    }

    /** Applies a pending corruption that falls inside {@code buffer[0, n)}. */
    private void maybeCorrupt(Direction direction, byte[] buffer, int n, long streamOffset) {
        AtomicReference<Corruption> slot = corruptions.get(direction);
        Corruption corruption = slot.get();
        if (corruption == null) {
            return;
        }
        if (corruption.remaining >= n) {
            corruption.remaining -= n;
            return;
        }
        int at = (int) corruption.remaining;
        buffer[at] ^= (byte) corruption.xor;
        slot.set(null);
        corruption.done.complete(streamOffset + at);
    }

    /** One relayed connection: a pump thread per direction. */
    private final class Relay {
        private final Socket client;
        private final Socket up;
        volatile boolean closed;

        Relay(Socket client, Socket up) {
            this.client = client;
            this.up = up;
        }

        void start() {
            startPump(client, up, Direction.TO_UPSTREAM);
            startPump(up, client, Direction.TO_CLIENT);
        }

        private void startPump(Socket from, Socket to, Direction direction) {
            Thread pump = new Thread(() -> pump(from, to, direction),
                    "fault-proxy-" + client.getPort() + "-" + direction);
            pump.setDaemon(true);
            pump.start();
        }

        private void pump(Socket from, Socket to, Direction direction) {
            byte[] buffer = new byte[CHUNK];
            AtomicLong counter = forwarded.get(direction);
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    if (!awaitOpenGate(this)) {
                        break;
                    }
                    // relays of one direction share its pending corruption: claim it under the slot's lock
                    synchronized (corruptions.get(direction)) {
                        maybeCorrupt(direction, buffer, n, counter.getAndAdd(n));
                    }
                    out.write(buffer, 0, n);
                }
            } catch (SocketException e) {
                // cut by the test or reset by an appliance: the normal way a relay ends
            } catch (IOException e) {
                // same: the other side went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close();
            }
        }

        void close() {
            closed = true;
            closeQuietly(client);
            closeQuietly(up);
            relays.remove(this);
            synchronized (gate) {
                gate.notifyAll();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Stops accepting, cuts every connection and joins the accept thread. */
    @Override
    public void close() {
        closed = true;
        resume();
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        cutAll();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "fault proxy 127.0.0.1:" + port() + " -> " + upstream.getPort() + " (accepted " + accepted.get()
                + ", live " + relays.size() + ", forwarded up " + forwardedBytes(Direction.TO_UPSTREAM)
                + " / back " + forwardedBytes(Direction.TO_CLIENT) + ")";
    }
}
