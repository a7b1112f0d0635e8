package io.tidemark.replicator.link;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.tidemark.replicator.pki.Peer;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both ends of a link share: keepalive (PING when idle, close when nothing arrives), a
 * deadline for opening the session, delivery of replication frames to the {@link FrameHandler},
 * one WARN line for whatever ends a connection abnormally, and exactly one onClose.
 * Not thread-safe: one per channel, used on its event loop (except {@link #closedLocally}).
 */
abstract class LinkChannelHandler extends ChannelInboundHandlerAdapter {

    static final Logger LOG = LoggerFactory.getLogger("io.tidemark.replicator.link");

    /** Asks the handler, from any thread, to close the connection for a reason it logs once. */
    record CloseRequest(String reason) {
    }

    protected final LinkSettings settings;
    protected final FrameDecoder decoder;
    private ScheduledFuture<?> setupDeadline;
    private Throwable failure;
    private boolean problemLogged;
    private volatile boolean closedLocally;
    protected ChannelLinkSession session;
    private FrameHandler handler;
    private String description;

    LinkChannelHandler(LinkSettings settings, FrameDecoder decoder) {
        this.settings = settings;
        this.decoder = decoder;
    }

    /** TLS is up; {@code peerCertificate} is the other side's (already checked by the trust manager). */
    abstract void onTlsReady(ChannelHandlerContext ctx, X509Certificate peerCertificate) throws Exception;

    /** A link frame other than PING/PONG; {@code type} is null when the code is unassigned. */
    abstract void onLinkFrame(ChannelHandlerContext ctx, LinkFrameType type, int code, ByteBuf payload) throws Exception;

    /** The channel closed; {@code cause} is null when it closed in order. */
    void onChannelClosed(Throwable cause) {
    }

    /** Opens the session: from now on replication frames go to {@code frameHandler}. */
    final void establish(ChannelHandlerContext ctx, ChannelLinkSession openSession, FrameHandler frameHandler) {
        this.session = openSession;
        this.handler = frameHandler;
        this.description = "replication link with peer " + openSession.peer().name() + " (" + ctx.channel().remoteAddress() + ")";
        decoder.maxPayload(FrameDescriptor.MAX_PAYLOAD);
        cancelDeadline();
    }

    final ChannelLinkSession newSession(ChannelHandlerContext ctx, Peer peer) {
        return new ChannelLinkSession(ctx.channel(), peer, () -> closedLocally = true);
    }

    final void markClosedLocally() {
        closedLocally = true;
    }

    final String describe(ChannelHandlerContext ctx) {
        return description != null ? description : "replication link " + ctx.channel().remoteAddress();
    }

    /** Logs {@code text} (once per connection, one line) and closes the connection. */
    final void fail(ChannelHandlerContext ctx, String text, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        if (!problemLogged) {
            problemLogged = true;
            LOG.warn("{}: {}; closing", describe(ctx), text);
        }
        ctx.close();
    }

    /** Sends {@code frame}, then closes: refusals and the final PAIRED answer. */
    final void sendAndClose(ChannelHandlerContext ctx, Frame frame, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        problemLogged = true;
        closedLocally = true;
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        setupDeadline = ctx.executor().schedule(() -> {
            if (session == null && ctx.channel().isActive()) {
                fail(ctx, "no session within " + settings.handshakeTimeout().toMillis() + " ms",
                        new IOException("link setup timed out after " + settings.handshakeTimeout().toMillis() + " ms"));
            }
        }, settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                fail(ctx, "TLS handshake failed: " + summary(done.cause()), done.cause());
                return;
            }
            X509Certificate cert = peerCertificate(ctx);
            try {
                onTlsReady(ctx, cert);
            } catch (FrameException e) {
                fail(ctx, e.getMessage(), e);
            }
        } else if (evt instanceof IdleStateEvent idle) {
            // reader idle fires every half timeout; only a second one in a row closes, because a first one
            // can be an event loop that was busy (say, encrypting a 16 MiB frame) with input still unread
            if (idle.state() == IdleState.READER_IDLE && !idle.isFirst()) {
                fail(ctx, "nothing received for " + settings.idleTimeout().toMillis() + " ms",
                        new IOException("link idle for " + settings.idleTimeout().toMillis() + " ms"));
            } else if (idle.state() == IdleState.WRITER_IDLE && ctx.channel().isActive()) {
                ctx.writeAndFlush(LinkMessages.empty(ctx.alloc(), LinkFrameType.PING), ctx.voidPromise());
            }
        } else if (evt instanceof CloseRequest request) {
            fail(ctx, request.reason(), new LinkRefusedException(request.reason()));
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        try {
            if (closedLocally || failure != null) {
                // closing (TLS close_notify may still be in flight): nothing more is delivered
                return;
            }
            if (frame.type >= FrameDescriptor.FIRST_APPLICATION_TYPE) {
                deliver(ctx, frame);
                return;
            }
            LinkFrameType type = LinkFrameType.of(frame.type);
            if (type == LinkFrameType.PING) {
                ctx.writeAndFlush(LinkMessages.empty(ctx.alloc(), LinkFrameType.PONG), ctx.voidPromise());
            } else if (type != LinkFrameType.PONG) {
                onLinkFrame(ctx, type, frame.type, frame.content());
            }
        } catch (FrameException e) {
            fail(ctx, e.getMessage(), e);
        } catch (Exception e) {
            LOG.error("{}: failed handling {}", describe(ctx), frame, e);
            fail(ctx, "internal error: " + e, e);
        } finally {
            frame.release();
        }
    }

    private void deliver(ChannelHandlerContext ctx, Frame frame) {
        if (handler == null) {
            fail(ctx, "frame type " + frame.type + " before the session was open", new FrameException("frame before session"));
            return;
        }
        try {
            handler.onFrame(session, frame.type, frame.content());
        } catch (RuntimeException e) {
            LOG.error("{}: frame handler failed on {}", describe(ctx), frame, e);
            fail(ctx, "frame handler failed: " + e, e);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (handler != null && ctx.channel().isWritable()) {
            handler.onWritable(session);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, summary(cause), cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelDeadline();
        Throwable cause = failure;
        if (cause == null && !closedLocally) {
            cause = new IOException("connection closed by the peer");
        }
        if (handler != null) {
            FrameHandler h = handler;
            handler = null;
            if (failure == null && closedLocally) {
                LOG.info("{}: closed", describe(ctx));
            } else if (!problemLogged) {
                LOG.warn("{}: {}", describe(ctx), summary(cause));
            }
            try {
                h.onClose(session, cause);
            } catch (RuntimeException e) {
                LOG.error("{}: frame handler failed on close", describe(ctx), e);
            }
        }
        onChannelClosed(failure != null || !closedLocally ? cause : null);
        super.channelInactive(ctx);
    }

    final JsonNode json(LinkFrameType type, ByteBuf payload) throws FrameException {
        return LinkMessages.parse(type, payload);
    }

    private void cancelDeadline() {
        if (setupDeadline != null) {
            setupDeadline.cancel(false);
            setupDeadline = null;
        }
    }

    private static X509Certificate peerCertificate(ChannelHandlerContext ctx) throws SSLPeerUnverifiedException {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
        return (X509Certificate) chain[0];
    }

    /** One line for a failure: expected conditions (TLS alerts, resets, bad frames) need no stack trace. */
    static String summary(Throwable cause) {
        Throwable t = cause;
        if (t instanceof DecoderException && t.getCause() != null) {
            t = t.getCause();
        }
        StringBuilder text = new StringBuilder(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        Throwable inner = t.getCause();
        if (inner != null && inner != t && t instanceof SSLException && !String.valueOf(t.getMessage()).contains(String.valueOf(inner.getMessage()))) {
            text.append(" (").append(inner.getMessage()).append(')');
        }
        return text.toString();
    }
}
