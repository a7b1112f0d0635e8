package io.tidemark.replicator.link;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.tidemark.replicator.pki.PairingException;
import io.tidemark.replicator.pki.PairingException.Reason;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The dialing side of pairing: PAIR after TLS (the listener's certificate was already checked
 * against the fingerprint in the token); PAIRED completes with that certificate.
 * Not thread-safe: one per channel.
 */
final class PairingDialerHandler extends LinkChannelHandler {

    private final String ownName;
    private final String token;
    private final CompletableFuture<X509Certificate> result;
    private X509Certificate listenerCertificate;

    PairingDialerHandler(String ownName, String token, CompletableFuture<X509Certificate> result,
                         LinkSettings settings, FrameDecoder decoder) {
        super(settings, decoder);
        this.ownName = ownName;
        this.token = token;
        this.result = result;
    }

    @Override
    void onTlsReady(ChannelHandlerContext ctx, X509Certificate peerCertificate) {
        listenerCertificate = peerCertificate;
        ctx.writeAndFlush(LinkMessages.frame(ctx.alloc(), LinkFrameType.PAIR, Map.of("name", ownName, "token", token)),
                ctx.voidPromise());
    }

    @Override
    void onLinkFrame(ChannelHandlerContext ctx, LinkFrameType type, int code, ByteBuf payload) throws Exception {
        if (type == LinkFrameType.PAIRED) {
            markClosedLocally();
            result.complete(listenerCertificate);
            ctx.close();
        } else if (type == LinkFrameType.PAIR_REFUSED) {
            JsonNode refusal = json(type, payload);
            Reason reason = reasonOf(refusal.path("reason").asText());
            String message = refusal.path("message").asText("refused");
            markClosedLocally();
            result.completeExceptionally(new PairingException(reason, message));
            ctx.close();
        } else {
            throw new FrameException("frame type " + (type == null ? code : type) + " while pairing");
        }
    }

    private static Reason reasonOf(String name) {
        for (Reason r : Reason.values()) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return Reason.REFUSED;
    }

    @Override
    void onChannelClosed(Throwable cause) {
        if (!result.isDone()) {
            result.completeExceptionally(cause != null ? cause : new IOException("closed while pairing"));
        }
    }
}
