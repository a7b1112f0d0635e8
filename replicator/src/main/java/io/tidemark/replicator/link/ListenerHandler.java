package io.tidemark.replicator.link;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.tidemark.replicator.pki.Fingerprint;
import io.tidemark.replicator.pki.PairingException;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.pki.PeerNames;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;

/**
 * The listening side of one connection: after TLS, a pinned client's HELLO opens a session (READY,
 * then the factory's handler gets its frames); an unpinned client may only PAIR with a valid
 * token; anything else is refused and closed. Not thread-safe: one per channel.
 */
final class ListenerHandler extends LinkChannelHandler {

    private final ReplicationServer server;
    private X509Certificate clientCertificate;
    private String fingerprint;

    ListenerHandler(ReplicationServer server, LinkSettings settings, FrameDecoder decoder) {
        super(settings, decoder);
        this.server = server;
    }

    @Override
    void onTlsReady(ChannelHandlerContext ctx, X509Certificate peerCertificate) {
        clientCertificate = peerCertificate;
        fingerprint = Fingerprint.of(peerCertificate);
        // registered before any lookup, so a revocation racing with HELLO still finds this channel
        server.register(fingerprint, ctx.channel());
    }

    @Override
    void onLinkFrame(ChannelHandlerContext ctx, LinkFrameType type, int code, ByteBuf payload) throws Exception {
        if (session != null) {
            throw new FrameException("link frame " + (type == null ? code : type) + " on an open session");
        }
        if (type == LinkFrameType.HELLO) {
            hello(ctx, text(type, payload, "name"));
        } else if (type == LinkFrameType.PAIR) {
            JsonNode pair = json(type, payload);
            pair(ctx, LinkMessages.text(type, pair, "name"), LinkMessages.text(type, pair, "token"));
        } else {
            throw new FrameException("frame type " + (type == null ? code : type) + " before HELLO or PAIR");
        }
    }

    private String text(LinkFrameType type, ByteBuf payload, String field) throws FrameException {
        return LinkMessages.text(type, json(type, payload), field);
    }

    private void hello(ChannelHandlerContext ctx, String presentedName) {
        Optional<Peer> pinned = server.peers().byFingerprint(fingerprint);
        if (pinned.isEmpty()) {
            String reason = "certificate " + fingerprint + " (presented as '" + clip(presentedName) + "') is not paired with "
                    + server.identity().name();
            LOG.warn("{}: {}; refused", describe(ctx), reason);
            sendAndClose(ctx, LinkMessages.frame(ctx.alloc(), LinkFrameType.REFUSED, Map.of("reason", "NOT_PAIRED", "message", reason)),
                    new LinkRefusedException(reason));
            return;
        }
        Peer peer = pinned.get();
        ChannelLinkSession open = newSession(ctx, peer);
        ctx.writeAndFlush(LinkMessages.frame(ctx.alloc(), LinkFrameType.READY, Map.of("name", server.identity().name())),
                ctx.voidPromise());
        FrameHandler frameHandler = server.factory().forPeer(peer, open);
        if (frameHandler == null) {
            fail(ctx, "no frame handler for peer " + peer.name(), new IllegalStateException("frame handler factory returned null"));
            return;
        }
        establish(ctx, open, frameHandler);
        LOG.info("{}: session open (certificate {})", describe(ctx), fingerprint);
    }

    private void pair(ChannelHandlerContext ctx, String name, String token) {
        try {
            try {
                PeerNames.check(name);
            } catch (IllegalArgumentException e) {
                throw new PairingException(PairingException.Reason.REFUSED, e.getMessage());
            }
            server.tokens().redeem(token);
            Peer peer = server.peers().pin(name, "", clientCertificate);
            LOG.info("replication link {}: paired peer {} (certificate {})", ctx.channel().remoteAddress(), peer.name(), fingerprint);
            sendAndClose(ctx, LinkMessages.frame(ctx.alloc(), LinkFrameType.PAIRED, Map.of("name", server.identity().name())), null);
        } catch (PairingException e) {
            LOG.warn("{}: pairing as '{}' refused: {} ({})", describe(ctx), clip(name), e.getMessage(), e.reason());
            sendAndClose(ctx, LinkMessages.frame(ctx.alloc(), LinkFrameType.PAIR_REFUSED,
                    Map.of("reason", e.reason().name(), "message", e.getMessage())), e);
        } catch (IOException e) {
            LOG.error("{}: pairing as '{}' failed: cannot store the peer: {}", describe(ctx), clip(name), e.toString());
            sendAndClose(ctx, LinkMessages.frame(ctx.alloc(), LinkFrameType.PAIR_REFUSED,
                    Map.of("reason", PairingException.Reason.REFUSED.name(), "message", "the peer could not be stored")), e);
        }
    }

    /** What an unauthenticated client says, made safe for one log line. */
    private static String clip(String s) {
        String shown = s.length() <= 64 ? s : s.substring(0, 64) + "...";
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
