package io.tidemark.iscsi;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.tidemark.iscsi.login.TargetLimits;
import io.tidemark.iscsi.pdu.PduDecoder;
import io.tidemark.iscsi.pdu.PduEncoder;
import io.tidemark.iscsi.scsi.ScsiExecutor;
import io.tidemark.iscsi.scsi.ScsiTargetDevice;
import io.tidemark.iscsi.session.IscsiConnection;
import io.tidemark.iscsi.session.PortalContext;
import io.tidemark.iscsi.session.Session;
import io.tidemark.iscsi.session.SessionRegistry;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The iSCSI portal: accepts connections, runs login and full-feature phase, and hands SCSI
 * commands to each target's {@link io.tidemark.iscsi.scsi.ScsiExecutor}. Targets and LUNs
 * added to the registry while running are served at once. Thread-safe.
 */
public final class IscsiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IscsiServer.class);

    private final TargetRegistry registry;
    private final IscsiSettings settings;
    private final Function<TargetNode, ScsiExecutor> executorFactory;
    private final ConcurrentHashMap<TargetNode, ScsiExecutor> executors = new ConcurrentHashMap<>();
    private final SessionRegistry sessions = new SessionRegistry();
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    private ExecutorService scsiWorkers;
    private ChannelGroup channels;
    private Channel serverChannel;

    public IscsiServer(TargetRegistry registry, IscsiSettings settings) {
        this(registry, settings, node -> new ScsiTargetDevice(node, registry));
    }

    /** With another SCSI layer per target (tests, benchmarks with a null backend). */
    public IscsiServer(TargetRegistry registry, IscsiSettings settings,
                       Function<TargetNode, ScsiExecutor> executorFactory) {
        this.registry = registry;
        this.settings = settings;
        this.executorFactory = executorFactory;
    }

    /** Binds and starts serving; returns once listening. */
    public synchronized void start() throws InterruptedException {
        if (serverChannel != null) {
            throw new IllegalStateException("already started on " + localAddress());
        }
        boolean epoll = Epoll.isAvailable();
        var ioFactory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("iscsi-accept"), ioFactory);
        ioGroup = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("iscsi-io"), ioFactory);
        scsiWorkers = Executors.newFixedThreadPool(settings.workerThreads(), new DefaultThreadFactory("iscsi-scsi", true));
        channels = new DefaultChannelGroup("iscsi", GlobalEventExecutor.INSTANCE);
        PortalContext context = new PortalContext(registry, settings, TargetLimits.defaults(), scsiWorkers,
                node -> executors.computeIfAbsent(node, executorFactory), sessions, new SecureRandom());
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        long idleMillis = settings.keepaliveInterval() == null ? 0 : settings.keepaliveInterval().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // above 4 MiB of unsent responses the connection stops reading commands (see IscsiConnection)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        PduDecoder decoder = new PduDecoder(context.limits().maxRecvDataSegmentLength());
                        PduEncoder encoder = new PduEncoder();
                        if (idleMillis > 0) {
                            ch.pipeline().addLast(new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
                        }
                        ch.pipeline().addLast(decoder, encoder, new IscsiConnection(context, decoder, encoder));
                    }
                });
        try {
            serverChannel = bootstrap.bind(settings.bindAddress(), settings.port()).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            shutdownGroups();
            throw e;
        }
        LOG.info("iSCSI portal listening on {} ({} transport, portal group {})", localAddress(),
                epoll ? "epoll" : "nio", settings.portalGroupTag());
    }

    /** The bound address (useful with port 0). */
    public InetSocketAddress localAddress() {
        Channel ch = serverChannel;
        if (ch == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) ch.localAddress();
    }

    /** The logged-in sessions, discovery sessions included. */
    public List<SessionInfo> sessions() {
        return sessions.infos();
    }

    /** Connections closed for malformed input or protocol violations since start. */
    public long badConnections() {
        return sessions.badConnections();
    }

    /** Asks every session to log out, waits briefly, then closes all connections and the port. */
    @Override
    public synchronized void close() {
        if (serverChannel == null) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        List<Session> open = sessions.all();
        int seconds = (int) Math.max(1, settings.logoutGrace().toSeconds());
        for (Session s : open) {
            s.requestLogout(seconds);
        }
        long deadline = System.nanoTime() + settings.logoutGrace().toNanos();
        for (Session s : open) {
            long left = deadline - System.nanoTime();
            ChannelFuture closed = s.closeFuture();
            if (left <= 0 || !closed.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                LOG.info("{}: did not log out within {} ms; closing", s, settings.logoutGrace().toMillis());
            }
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownGroups();
        serverChannel = null;
        LOG.info("iSCSI portal closed");
    }

    private void shutdownGroups() {
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        scsiWorkers.shutdown();
        try {
            if (!scsiWorkers.awaitTermination(5, TimeUnit.SECONDS)) {
                scsiWorkers.shutdownNow();
            }
        } catch (InterruptedException e) {
            scsiWorkers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
