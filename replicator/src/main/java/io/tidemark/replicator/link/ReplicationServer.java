package io.tidemark.replicator.link;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.tidemark.replicator.pki.Identity;
import io.tidemark.replicator.pki.PairingTokens;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.pki.PeerStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication listener: TLS 1.3 with mutual authentication, trust = pinned certificates
 * only. A pinned peer's connection becomes a {@link LinkSession} handed to the
 * {@link FrameHandlerFactory}; an unpinned certificate may only pair with a one-time token;
 * a revoked peer's live connections are closed at once. Thread-safe.
 */
public final class ReplicationServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationServer.class);
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(1 << 20, 4 << 20);

    private final Identity identity;
    private final PeerStore peers;
    private final PairingTokens tokens;
    private final InetSocketAddress bind;
    private final FrameHandlerFactory factory;
    private final LinkSettings settings;
    private final LiveConnections live = new LiveConnections();
    private final Consumer<Peer> revocationListener = this::dropConnections;
    private EventLoopGroup group;
    private ChannelGroup channels;
    private Channel serverChannel;

    public ReplicationServer(Identity identity, PeerStore peers, PairingTokens tokens, InetSocketAddress bind,
                             FrameHandlerFactory factory) {
        this(identity, peers, tokens, bind, factory, LinkSettings.DEFAULTS);
    }

    public ReplicationServer(Identity identity, PeerStore peers, PairingTokens tokens, InetSocketAddress bind,
                             FrameHandlerFactory factory, LinkSettings settings) {
        this.identity = identity;
        this.peers = peers;
        this.tokens = tokens;
        this.bind = bind;
        this.factory = factory;
        this.settings = settings;
    }

    /** Binds and starts accepting; returns once listening. */
    public synchronized void start() throws IOException {
        if (serverChannel != null) {
            throw new IllegalStateException("replication server already listening on " + localAddress());
        }
        SslContext tls;
        try {
            tls = TlsContexts.server(identity);
        } catch (SSLException e) {
            throw new IOException("cannot build the TLS context of " + identity, e);
        }
        group = LinkTransport.group("tidemark-link", 2, false);
        channels = new DefaultChannelGroup("replication", GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(LinkTransport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 64)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        SslHandler ssl = tls.newHandler(ch.alloc());
                        ssl.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
                        // until a session is open only small link frames are accepted from an unknown client
                        FrameDecoder decoder = new FrameDecoder(LinkFrameType.MAX_LINK_PAYLOAD);
                        ch.pipeline().addLast("tls", ssl)
                                .addLast("idle", idleHandler(settings))
                                .addLast("decoder", decoder)
                                .addLast("encoder", FrameEncoder.INSTANCE)
                                .addLast("flush", new FlushConsolidationHandler(256, true))
                                .addLast("link", new ListenerHandler(ReplicationServer.this, settings, decoder));
                    }
                });
        peers.addRevocationListener(revocationListener);
        try {
            serverChannel = bootstrap.bind(bind).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            peers.removeRevocationListener(revocationListener);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw new IOException("replication listener cannot bind " + bind + ": " + e.getMessage(), e);
        }
        LOG.info("replication listener {} on {} ({}, certificate {})", identity.name(), localAddress(),
                LinkTransport.EPOLL ? "epoll" : "nio", identity.fingerprint());
    }

    static IdleStateHandler idleHandler(LinkSettings settings) {
        long halfIdle = Math.max(1, settings.idleTimeout().toMillis() / 2);
        return new IdleStateHandler(halfIdle, settings.pingInterval().toMillis(), 0, TimeUnit.MILLISECONDS);
    }

    /** The bound address (useful with port 0). */
    public InetSocketAddress localAddress() {
        Channel ch = serverChannel;
        if (ch == null) {
            throw new IllegalStateException("replication server not started");
        }
        return (InetSocketAddress) ch.localAddress();
    }

    /** Number of open TCP connections (sessions and connections still in TLS or pairing). */
    public int connectionCount() {
        ChannelGroup c = channels;
        return c == null ? 0 : c.size();
    }

    /** Stops listening and closes every connection. */
    @Override
    public synchronized void close() {
        if (serverChannel == null) {
            return;
        }
        peers.removeRevocationListener(revocationListener);
        serverChannel.close().syncUninterruptibly();
        channels.forEach(LiveConnections::closeLocally);
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        serverChannel = null;
        LOG.info("replication listener {} closed", identity.name());
    }

    void register(String fingerprint, Channel channel) {
        live.register(fingerprint, channel);
    }

    private void dropConnections(Peer revoked) {
        live.drop(revoked);
    }

    Identity identity() {
        return identity;
    }

    PeerStore peers() {
        return peers;
    }

    PairingTokens tokens() {
        return tokens;
    }

    FrameHandlerFactory factory() {
        return factory;
    }
}
