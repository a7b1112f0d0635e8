package io.tidemark.replicator.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tidemark.replicator.pki.Peer;
import java.util.concurrent.CompletableFuture;

/** A {@link LinkSession} over one Netty channel. Thread-safe. */
final class ChannelLinkSession implements LinkSession {

    private final Channel channel;
    private final Peer peer;
    private final Runnable onLocalClose;

    ChannelLinkSession(Channel channel, Peer peer, Runnable onLocalClose) {
        this.channel = channel;
        this.peer = peer;
        this.onLocalClose = onLocalClose;
    }

    @Override
    public Peer peer() {
        return peer;
    }

    @Override
    public CompletableFuture<Void> send(int type, ByteBuf payload) {
        try {
            FrameDescriptor.checkApplicationType(type);
            FrameDescriptor.checkPayloadLength(payload.readableBytes());
        } catch (IllegalArgumentException e) {
            payload.release();
            return CompletableFuture.failedFuture(e);
        }
        return write(new Frame(type, payload));
    }

    CompletableFuture<Void> write(Frame frame) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        // on a closed channel Netty fails the promise and releases the frame
        channel.writeAndFlush(frame).addListener(f -> {
            if (f.isSuccess()) {
                result.complete(null);
            } else {
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    /** The underlying channel (tests write raw bytes through it). */
    Channel channel() {
        return channel;
    }

    @Override
    public boolean writable() {
        return channel.isWritable();
    }

    @Override
    public void close() {
        onLocalClose.run();
        channel.close();
    }

    @Override
    public String toString() {
        return "LinkSession[" + peer.name() + " " + channel.remoteAddress() + "]";
    }
}
