package io.tidemark.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateEvent;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.login.LoginNegotiator;
import io.tidemark.iscsi.login.LoginStatus;
import io.tidemark.iscsi.login.LoginStep;
import io.tidemark.iscsi.login.SessionParameters;
import io.tidemark.iscsi.login.TextKeys;
import io.tidemark.iscsi.pdu.AsyncMessagePdu;
import io.tidemark.iscsi.pdu.Bhs;
import io.tidemark.iscsi.pdu.FramingLost;
import io.tidemark.iscsi.pdu.LoginPdu;
import io.tidemark.iscsi.pdu.NopPdu;
import io.tidemark.iscsi.pdu.Opcode;
import io.tidemark.iscsi.pdu.OutboundPdu;
import io.tidemark.iscsi.pdu.Pdu;
import io.tidemark.iscsi.pdu.PduDecoder;
import io.tidemark.iscsi.pdu.PduEncoder;
import io.tidemark.iscsi.pdu.RejectPdu;
import io.tidemark.iscsi.scsi.ScsiExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection: runs the login, then hands full-feature PDUs to its {@link Session};
 * stamps StatSN/ExpCmdSN/MaxCmdSN on everything sent, batches flushes (one per read burst
 * or per run of completions), pings an idle initiator, and closes on malformed framing with
 * one log line. Not thread-safe: all methods run on the channel's event loop except those
 * documented otherwise.
 */
public final class IscsiConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(IscsiConnection.class);

    private final PortalContext context;
    private final PduDecoder decoder;
    private final PduEncoder encoder;
    private ChannelHandlerContext ctx;
    private LoginNegotiator login;
    private boolean loginFinishing;
    private Session session;
    private int statSn;
    private int loginCmdSn;
    private boolean reading;
    private boolean flushPending;
    private boolean flushScheduled;
    private boolean closing;
    private ScsiCommandFlow dispatchPending;
    private boolean badReported;
    private int pingTtt = Bhs.RESERVED_TAG;
    private final Runnable flushTask = this::flushNow;

    public IscsiConnection(PortalContext context, PduDecoder decoder, PduEncoder encoder) {
        this.context = context;
        this.decoder = decoder;
        this.encoder = encoder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.statSn = context.random().nextInt() & 0x7fffffff;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (msg instanceof FramingLost lost) {
            if (!closing) {
                badConnection(lost.reason());
            }
            return;
        }
        Pdu pdu = (Pdu) msg;
        if (closing) {
            pdu.release();
        } else if (session != null) {
            session.onPdu(pdu);
        } else {
            onLoginPhase(pdu);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (dispatchPending != null) {
            ScsiCommandFlow flow = dispatchPending;
            dispatchPending = null;
            flow.dispatch();
        }
        if (flushPending) {
            flushNow();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // an initiator that does not read its responses gets no new commands read either
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof IdleStateEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (session == null) {
            badConnection("no login completed within " + context.settings().keepaliveInterval().toSeconds() + " s");
        } else if (pingTtt != Bhs.RESERVED_TAG) {
            LOG.warn("{}: no answer to NOP-In within {} s; closing", session,
                    context.settings().keepaliveInterval().toSeconds());
            ctx.close();
        } else {
            pingTtt = session.nextTargetTransferTag();
            send(NopPdu.ping(alloc(), pingTtt));
            flushNow();
        }
    }

    void pingAnswered(int ttt) {
        if (ttt == pingTtt) {
            pingTtt = Bhs.RESERVED_TAG;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (session != null) {
            session.closed();
            context.sessions().unregister(session.tsih(), session);
            session.release();
            LOG.info("{}: connection from {} closed", session, remoteAddress());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("connection from {}: {}", remoteAddress(), cause.toString());
        } else {
            LOG.warn("connection from {} ({}): {}; closing", remoteAddress(), who(), cause.toString());
        }
        ctx.close();
    }

    // ---- login phase

    private void onLoginPhase(Pdu pdu) {
        try {
            if (pdu.opcode() != Opcode.LOGIN_REQUEST) {
                badConnection("expected a Login Request before full feature phase, got " + Opcode.name(pdu.opcode()));
                return;
            }
            if (pdu.defect() != Pdu.Defect.NONE) {
                badConnection("malformed Login Request: " + pdu.defect());
                return;
            }
            if (loginFinishing) {
                badConnection("Login Request while the previous one completes");
                return;
            }
            if (login == null) {
                login = new LoginNegotiator(context.registry(), context.limits(),
                        context.settings().portalGroupTag(), context.random());
            }
            ByteBuf bhs = pdu.bhs();
            loginCmdSn = Bhs.cmdSn(bhs);
            LoginStep step = login.onRequest(bhs, pdu.data());
            if (step.failed()) {
                LOG.warn("login from {} ({}) refused: 0x{} {}", remoteAddress(),
                        login.initiatorName() == null ? "no InitiatorName yet" : login.initiatorName(),
                        String.format("%04x", step.status().code()), step.reason());
                sendLogin(step, pdu.itt(), 0);
                closeAfterFlush();
            } else if (step.complete()) {
                finishLogin(step, pdu.itt());
            } else {
                sendLogin(step, pdu.itt(), 0);
                flushNow();
            }
        } finally {
            pdu.release();
        }
    }

    private void sendLogin(LoginStep step, int itt, int tsih) {
        byte[] isid = login.isid() == null ? new byte[LoginPdu.ISID_LENGTH] : login.isid();
        send(LoginPdu.response(alloc(), step.transit(), step.csg(), step.nsg(), isid, tsih, itt,
                step.status().statusClass(), step.status().detail(), TextKeys.encode(alloc(), step.keys())));
    }

    /** Creates the session once the nexus is ready (after an old one with the same ISID is gone). */
    private void finishLogin(LoginStep step, int itt) {
        loginFinishing = true;
        TargetNode target = login.target();
        SessionParameters params = login.parameters();
        ScsiExecutor executor = target == null ? null : context.executors().apply(target);
        Session created = new Session(this, login.initiatorName(), login.isid(), target, login.authMethod(), params,
                executor, loginCmdSn);
        Session old = target == null ? null
                : context.sessions().sameNexus(login.initiatorName(), login.isid(), target.iqn());
        CompletableFuture<Void> gone = CompletableFuture.completedFuture(null);
        if (old != null) {
            LOG.info("{}: reinstated by a new login from {}", old, remoteAddress());
            gone = old.release();
            old.close();
        }
        EventLoop loop = eventLoop();
        gone.thenRunAsync(() -> {
            if (executor != null) {
                executor.nexusCreated(created.nexus());
            }
        }, context.workers()).whenComplete((v, e) -> loop.execute(() -> {
            if (e != null || !ctx.channel().isActive()) {
                created.release();
                if (e != null) {
                    LOG.warn("login from {} ({}) failed in the SCSI layer: {}", remoteAddress(),
                            login.initiatorName(), e.toString());
                    sendLogin(LoginStep.failed(LoginStatus.TARGET_ERROR, step.csg(), null), itt, 0);
                    closeAfterFlush();
                }
                return;
            }
            int tsih = context.sessions().register(created);
            created.tsih(tsih);
            session = created;
            sendLogin(step, itt, tsih);
            // digests cover every PDU after the final Login Response (RFC 7143 section 13.1)
            encoder.enableDigests(params.headerDigest(), params.dataDigest());
            decoder.enableDigests(params.headerDigest(), params.dataDigest());
            decoder.maxDataSegmentLength(params.targetMaxRecvDataSegmentLength());
            decoder.loginPhase(false);
            flushNow();
            login = null;
            LOG.info("{}: logged in from {} (auth {}, header digest {}, data digest {})", created, remoteAddress(),
                    created.authMethod(), params.headerDigest() ? "CRC32C" : "None",
                    params.dataDigest() ? "CRC32C" : "None");
        }));
    }

    // ---- sending

    /** Stamps the sequence numbers and writes; flushed at the end of the read burst or soon. */
    void send(OutboundPdu pdu) {
        if (!ctx.channel().isActive()) {
            pdu.release();
            return;
        }
        int stat = statSn;
        if (pdu.advancesStatSn()) {
            statSn++;
        }
        if (session != null) {
            pdu.sequenceNumbers(stat, session.window().expCmdSn(), session.window().maxCmdSn());
        } else {
            pdu.sequenceNumbers(stat, loginCmdSn, loginCmdSn + context.settings().queueDepth() - 1);
        }
        ctx.write(pdu, ctx.voidPromise());
        flushSoon();
    }

    void reject(int reason, ByteBuf rejectedBhs) {
        send(RejectPdu.build(alloc(), reason, rejectedBhs));
    }

    /** Commands are handed to the workers at the end of the read burst (or now, outside one). */
    void dispatchSoon(ScsiCommandFlow flow) {
        if (reading) {
            dispatchPending = flow;
        } else {
            flow.dispatch();
        }
    }

    void flushSoon() {
        if (reading) {
            flushPending = true;
        } else if (!flushScheduled) {
            flushScheduled = true;
            // runs after the completions already queued on the loop: one flush for all of them
            ctx.channel().eventLoop().execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        flushPending = false;
        ctx.flush();
    }

    void closeAfterFlush() {
        closing = true;
        flushPending = false;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Malformed input or a protocol violation: one log line, then this connection only closes. */
    private void badConnection(String reason) {
        if (!badReported) {
            badReported = true;
            context.sessions().countBadConnection();
            LOG.warn("connection from {} ({}): {}; closing", remoteAddress(), who(), reason);
        }
        closing = true;
        ctx.close();
    }

    /** Thread-safe. */
    void requestLogout(int withinSeconds) {
        eventLoop().execute(() -> {
            send(AsyncMessagePdu.logoutRequest(alloc(), withinSeconds));
            flushNow();
        });
    }

    /** Thread-safe. */
    io.netty.channel.ChannelFuture closeFuture() {
        return ctx.channel().closeFuture();
    }

    /** Thread-safe. */
    void close() {
        ctx.channel().close();
    }

    private String who() {
        if (session != null) {
            return session.toString();
        }
        return login != null && login.initiatorName() != null ? login.initiatorName() + " logging in" : "before login";
    }

    // ---- accessors

    PortalContext context() {
        return context;
    }

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    boolean isOpen() {
        return ctx.channel().isActive();
    }

    String remoteAddress() {
        var a = ctx == null ? null : ctx.channel().remoteAddress();
        if (a instanceof InetSocketAddress isa) {
            return isa.getAddress().getHostAddress() + ":" + isa.getPort();
        }
        return String.valueOf(a);
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) ctx.channel().localAddress();
    }
}
