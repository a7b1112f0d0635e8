package io.tidemark.replicator.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.tidemark.replicator.pki.Fingerprint;
import io.tidemark.replicator.pki.Identity;
import io.tidemark.replicator.pki.PairingException;
import io.tidemark.replicator.pki.PairingException.Reason;
import io.tidemark.replicator.pki.PairingTokens;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.pki.PeerNames;
import io.tidemark.replicator.pki.PeerStore;
import io.tidemark.replicator.pki.PinnedTrustManager.PinMismatchException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * Dials pinned peers: TLS 1.3, our certificate as client certificate, the peer's pinned
 * certificate as the only trust. Either one instance per appliance ({@link #close()} stops its
 * threads) or the static {@link #connect(Identity, Peer, FrameHandler)} on a shared daemon
 * event loop. Thread-safe.
 */
public final class ReplicationClient implements AutoCloseable {

    private final Identity identity;
    private final LinkSettings settings;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final PeerStore revocations;
    private final LiveConnections live = new LiveConnections();
    private final Consumer<Peer> revocationListener = live::drop;

    private static final class Shared {
        static final EventLoopGroup GROUP = LinkTransport.group("tidemark-link-client", 2, true);
    }

    public ReplicationClient(Identity identity) {
        this(identity, LinkSettings.DEFAULTS);
    }

    public ReplicationClient(Identity identity, LinkSettings settings) {
        this(identity, settings, null);
    }

    /**
     * A client whose sessions to a peer are closed as soon as that peer is revoked (or re-pinned
     * with another certificate) in {@code revocations}; null watches nothing.
     */
    public ReplicationClient(Identity identity, LinkSettings settings, PeerStore revocations) {
        this(identity, settings, LinkTransport.group("tidemark-link-client", 2, false), true, revocations);
    }

    private ReplicationClient(Identity identity, LinkSettings settings, EventLoopGroup group, boolean ownsGroup,
                              PeerStore revocations) {
        this.identity = identity;
        this.settings = settings;
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.revocations = revocations;
        if (revocations != null) {
            revocations.addRevocationListener(revocationListener);
        }
    }

    /** Opens a session to {@code peer} on the shared event loop; see {@link #connect(Peer, FrameHandler)}. */
    public static CompletableFuture<LinkSession> connect(Identity identity, Peer peer, FrameHandler handler) {
        return new ReplicationClient(identity, LinkSettings.DEFAULTS, Shared.GROUP, false, null).connect(peer, handler);
    }

    /**
     * Opens a session to {@code peer.address()}. Completes once the peer accepted us (READY);
     * fails on connect errors, a certificate that is not the pinned one (SSLHandshakeException),
     * or a refusal ({@link LinkRefusedException}: the peer does not know or has revoked us).
     */
    public CompletableFuture<LinkSession> connect(Peer peer, FrameHandler handler) {
        CompletableFuture<LinkSession> result = new CompletableFuture<>();
        if (!peer.dialable()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("peer " + peer.name()
                    + " has no address (expected: host:port; it dials us)"));
        }
        InetSocketAddress address;
        SslContext tls;
        try {
            address = HostPort.parse(peer.address());
            tls = TlsContexts.client(identity, peer.fingerprint());
        } catch (IllegalArgumentException | SSLException e) {
            return CompletableFuture.failedFuture(e);
        }
        ChannelFuture connecting = dial(address, tls,
                decoder -> new DialerHandler(identity, peer, handler, result, settings, decoder), result);
        live.register(peer.fingerprint(), connecting.channel());
        return result;
    }

    /**
     * Pairs with the appliance at {@code hostPort} that issued {@code token}, and pins its
     * certificate here under {@code peerName}. Blocks for at most the connect plus handshake timeouts.
     */
    public Peer pair(PeerStore store, String peerName, String hostPort, String token) throws PairingException, IOException {
        PeerNames.check(peerName);
        PairingTokens.ParsedToken parsed = PairingTokens.parse(token);
        InetSocketAddress address = HostPort.parse(hostPort);
        CompletableFuture<X509Certificate> result = new CompletableFuture<>();
        dial(address, TlsContexts.client(identity, parsed.issuerFingerprint()),
                decoder -> new PairingDialerHandler(identity.name(), token.trim(), result, settings, decoder), result);
        X509Certificate certificate;
        long waitMillis = settings.connectTimeout().toMillis() + settings.handshakeTimeout().toMillis() + 1000;
        try {
            certificate = result.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw pairingFailure(hostPort, parsed.issuerFingerprint(), e.getCause());
        } catch (TimeoutException e) {
            result.cancel(false);
            throw new PairingException(Reason.UNREACHABLE, "no answer from " + hostPort + " within " + waitMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PairingException(Reason.UNREACHABLE, "interrupted while pairing with " + hostPort);
        }
        if (!Fingerprint.of(certificate).equals(parsed.issuerFingerprint())) {
            throw new PairingException(Reason.FINGERPRINT_MISMATCH, "appliance at " + hostPort + " presented certificate "
                    + Fingerprint.of(certificate) + " (expected: " + parsed.issuerFingerprint() + ")");
        }
        return store.pin(peerName, hostPort, certificate);
    }

    private static PairingException pairingFailure(String hostPort, String expected, Throwable cause) {
        if (cause instanceof PairingException p) {
            return p;
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof PinMismatchException mismatch) {
                return new PairingException(Reason.FINGERPRINT_MISMATCH, "appliance at " + hostPort + " presented certificate "
                        + mismatch.presented() + " but the token names " + expected, cause);
            }
        }
        return new PairingException(Reason.UNREACHABLE, "cannot pair with " + hostPort + ": "
                + LinkChannelHandler.summary(cause), cause);
    }

    ChannelFuture dial(InetSocketAddress address, SslContext tls, Function<FrameDecoder, ChannelHandler> linkHandler,
                      CompletableFuture<?> result) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(LinkTransport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, ReplicationServer.WATER_MARK)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = tls.newHandler(ch.alloc(), address.getHostString(), address.getPort());
                        ssl.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
                        FrameDecoder decoder = new FrameDecoder(FrameDescriptor.MAX_PAYLOAD);
                        ch.pipeline().addLast("tls", ssl)
                                .addLast("idle", ReplicationServer.idleHandler(settings))
                                .addLast("decoder", decoder)
                                .addLast("encoder", FrameEncoder.INSTANCE)
                                .addLast("flush", new FlushConsolidationHandler(256, true))
                                .addLast("link", linkHandler.apply(decoder));
                    }
                });
        ChannelFuture connecting = bootstrap.connect(address);
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
            }
        });
        // a caller giving up (cancel, timeout) closes a connection still being set up
        result.whenComplete((v, e) -> {
            if (e != null) {
                connecting.channel().close();
            }
        });
        return connecting;
    }

    /** Closes the sessions this client opened and stops its event loop (never the shared one). */
    @Override
    public void close() {
        if (revocations != null) {
            revocations.removeRevocationListener(revocationListener);
        }
        live.closeAll();
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
