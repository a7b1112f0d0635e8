package io.tidemark.replicator.link;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.tidemark.replicator.pki.Identity;
import io.tidemark.replicator.pki.Peer;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The dialing side of a session: HELLO after TLS, the session opens on READY; REFUSED or any
 * failure before it fails the connect future. Not thread-safe: one per channel.
 */
final class DialerHandler extends LinkChannelHandler {

    private final Identity identity;
    private final Peer peer;
    private final FrameHandler frameHandler;
    private final CompletableFuture<LinkSession> result;

    DialerHandler(Identity identity, Peer peer, FrameHandler frameHandler, CompletableFuture<LinkSession> result,
                  LinkSettings settings, FrameDecoder decoder) {
        super(settings, decoder);
        this.identity = identity;
        this.peer = peer;
        this.frameHandler = frameHandler;
        this.result = result;
    }

    @Override
    void onTlsReady(ChannelHandlerContext ctx, X509Certificate peerCertificate) {
        ctx.writeAndFlush(LinkMessages.frame(ctx.alloc(), LinkFrameType.HELLO, Map.of("name", identity.name())), ctx.voidPromise());
    }

    @Override
    void onLinkFrame(ChannelHandlerContext ctx, LinkFrameType type, int code, ByteBuf payload) throws Exception {
        if (session != null) {
            throw new FrameException("link frame " + (type == null ? code : type) + " on an open session");
        }
        if (type == LinkFrameType.READY) {
            ChannelLinkSession open = newSession(ctx, peer);
            establish(ctx, open, frameHandler);
            LOG.info("{}: session open", describe(ctx));
            result.complete(open);
        } else if (type == LinkFrameType.REFUSED) {
            JsonNode refusal = json(type, payload);
            String reason = "peer " + peer.name() + " refused the session: " + refusal.path("message").asText(refusal.toString());
            fail(ctx, reason, new LinkRefusedException(reason));
        } else {
            throw new FrameException("frame type " + (type == null ? code : type) + " before READY");
        }
    }

    @Override
    void onChannelClosed(Throwable cause) {
        if (!result.isDone()) {
            result.completeExceptionally(cause != null ? cause
                    : new IOException("link to peer " + peer.name() + " closed before the session opened"));
        }
    }
}
