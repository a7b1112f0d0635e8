package io.tidemark.replicator.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Test frame handler: keeps a copy of every frame and completes {@link #closed} with the close cause. */
class RecordingHandler implements FrameHandler {

    record Received(int type, byte[] payload) {
    }

    final LinkedBlockingQueue<Received> frames = new LinkedBlockingQueue<>();
    final List<Received> all = new CopyOnWriteArrayList<>();
    /** Completes with the cause given to onClose, or a marker when it was null. */
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();
    static final Throwable ORDERLY = new Throwable("orderly close");

    @Override
    public void onFrame(LinkSession session, int type, ByteBuf payload) {
        Received r = new Received(type, ByteBufUtil.getBytes(payload));
        all.add(r);
        frames.add(r);
    }

    @Override
    public void onClose(LinkSession session, Throwable cause) {
        if (!closed.complete(cause == null ? ORDERLY : cause)) {
            throw new AssertionError("onClose called twice");
        }
    }

    Received next() throws InterruptedException {
        Received r = frames.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no frame within 10 s");
        }
        return r;
    }
}
