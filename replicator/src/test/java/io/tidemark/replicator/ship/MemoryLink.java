package io.tidemark.replicator.ship;

import io.netty.buffer.ByteBuf;
import io.tidemark.replicator.link.FrameHandler;
import io.tidemark.replicator.link.FrameHandlerFactory;
import io.tidemark.replicator.link.LinkSession;
import io.tidemark.replicator.pki.Peer;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pairs of in-memory link sessions instead of TLS: each end delivers its inbound frames on its
 * own thread (like an event loop), in order. Tests can cut every pair, stall delivery, flip a
 * byte in the next BATCH frames, or refuse connections. Thread-safe.
 */
final class MemoryLink implements Connector, AutoCloseable {

    static final Peer PRIMARY = peer("primary");
    static final Peer DR = peer("dr");

    private final FrameHandlerFactory server;
    private final List<End> ends = new CopyOnWriteArrayList<>();
    private final Object stallLock = new Object();
    private boolean stalled;
    final AtomicInteger flipBatches = new AtomicInteger();
    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger batchParts = new AtomicInteger();
    volatile boolean refuse;

    MemoryLink(FrameHandlerFactory server) {
        this.server = server;
    }

    static Peer peer(String name) {
        return new Peer(name, name.equals("dr") ? "127.0.0.1:1" : "", "ab".repeat(32), null, Instant.EPOCH);
    }

    @Override
    public CompletableFuture<LinkSession> connect(Peer peer, FrameHandler handler) {
        connects.incrementAndGet();
        if (refuse) {
            return CompletableFuture.failedFuture(new IOException("connection refused (test)"));
        }
        End client = new End(peer, "client");
        End dr = new End(PRIMARY, "dr");
        client.other = dr;
        dr.other = client;
        client.handler = handler;
        ends.add(client);
        ends.add(dr);
        dr.handler = server.forPeer(PRIMARY, dr);
        return CompletableFuture.completedFuture(client);
    }

    /** Closes every open session, as a cut cable would: frames still in flight are lost. */
    void cutAll() {
        for (End e : ends) {
            e.cut = true;
            e.close();
        }
    }

    void stall() {
        synchronized (stallLock) {
            stalled = true;
        }
    }

    void unstall() {
        synchronized (stallLock) {
            stalled = false;
            stallLock.notifyAll();
        }
    }

    @Override
    public void close() {
        unstall();
        cutAll();
        for (End e : ends) {
            e.inbound.shutdown();
        }
        for (End e : ends) {
            try {
                e.inbound.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitUnstalled(End to) throws InterruptedException {
        synchronized (stallLock) {
            while (stalled && !to.cut) {
                stallLock.wait(50);
            }
        }
    }

    final class End implements LinkSession {
        final Peer peer;
        final ExecutorService inbound;
        final AtomicBoolean closed = new AtomicBoolean();
        volatile boolean cut;
        volatile End other;
        volatile FrameHandler handler;

        End(Peer peer, String side) {
            this.peer = peer;
            this.inbound = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "memory-link-" + side);
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public Peer peer() {
            return peer;
        }

        @Override
        public CompletableFuture<Void> send(int type, ByteBuf payload) {
            End to = other;
            if (closed.get() || to.closed.get()) {
                payload.release();
                return CompletableFuture.failedFuture(new IOException("session closed"));
            }
            if (type == ReplicationFrames.BATCH_MORE) {
                batchParts.incrementAndGet();
            }
            if (type == ReplicationFrames.BATCH && to.peer == PRIMARY && payload.readableBytes() > 100
                    && flipBatches.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                int at = payload.readerIndex() + 70; // inside the first record's ciphertext
                payload.setByte(at, payload.getByte(at) ^ 0x10);
            }
            try {
                to.inbound.execute(() -> {
                    try {
                        awaitUnstalled(to);
                        if (!to.cut && !cut) {
                            to.handler.onFrame(to, type, payload);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        payload.release();
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                payload.release();
                return CompletableFuture.failedFuture(new IOException("session closed"));
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean writable() {
            return !closed.get();
        }

        @Override
        public void close() {
            closeOne(this);
            closeOne(other);
        }

        private void closeOne(End e) {
            if (e != null && e.closed.compareAndSet(false, true)) {
                try {
                    e.inbound.execute(() -> e.handler.onClose(e, null));
                } catch (java.util.concurrent.RejectedExecutionException ignored) {
                    // the link is shut down: nobody listens any more
                }
                synchronized (stallLock) {
                    stallLock.notifyAll();
                }
            }
        }
    }
}
