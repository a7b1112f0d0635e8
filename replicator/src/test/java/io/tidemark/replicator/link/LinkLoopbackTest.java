package io.tidemark.replicator.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ResourceLeakDetector;
import io.tidemark.replicator.pki.Identity;
import io.tidemark.replicator.pki.PairingException;
import io.tidemark.replicator.pki.PairingException.Reason;
import io.tidemark.replicator.pki.PairingTokens;
import io.tidemark.replicator.pki.ManualClock;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.pki.PeerStore;
import io.tidemark.replicator.pki.PinnedTrustManager;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The replication link end to end on loopback: a DR listener and a primary dialer, real TLS 1.3. */
@Timeout(60)
class LinkLoopbackTest {

    /** The default timers, with quicker failures for unreachable peers. */
    static final LinkSettings SETTINGS = new LinkSettings(Duration.ofSeconds(3), Duration.ofSeconds(10),
            Duration.ofSeconds(5), Duration.ofSeconds(2));
    /** Short timers for the keepalive tests (a busy event loop, e.g. encrypting 16 MiB on a cold JVM, would trip them). */
    static final LinkSettings QUICK_IDLE = new LinkSettings(Duration.ofMillis(200), Duration.ofMillis(1500),
            Duration.ofSeconds(5), Duration.ofSeconds(2));

    /** The DR side's factory: every session it was asked to serve. */
    static final class Accepting implements FrameHandlerFactory {
        record Accepted(Peer peer, LinkSession session, RecordingHandler handler) {
        }

        final LinkedBlockingQueue<Accepted> sessions = new LinkedBlockingQueue<>();

        @Override
        public FrameHandler forPeer(Peer peer, LinkSession session) {
            RecordingHandler handler = new RecordingHandler();
            sessions.add(new Accepted(peer, session, handler));
            return handler;
        }

        Accepted next() throws InterruptedException {
            Accepted a = sessions.poll(10, TimeUnit.SECONDS);
            assertThat(a).as("a session accepted within 10 s").isNotNull();
            return a;
        }
    }

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock();
    final Accepting accepting = new Accepting();
    Identity drIdentity;
    PeerStore drPeers;
    PairingTokens drTokens;
    ReplicationServer server;
    Identity primaryIdentity;
    PeerStore primaryPeers;
    ReplicationClient primary;
    String drAddress;

    @BeforeAll
    static void detectLeaks() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @BeforeEach
    void start() throws Exception {
        drIdentity = Identity.loadOrCreate(dir.resolve("dr/identity"), "dr-site");
        drPeers = PeerStore.open(dir.resolve("dr/peers"));
        drTokens = new PairingTokens(drIdentity, clock, Duration.ofMinutes(10));
        server = new ReplicationServer(drIdentity, drPeers, drTokens, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                accepting, SETTINGS);
        server.start();
        drAddress = "127.0.0.1:" + server.localAddress().getPort();
        primaryIdentity = Identity.loadOrCreate(dir.resolve("primary/identity"), "primary-site");
        primaryPeers = PeerStore.open(dir.resolve("primary/peers"));
        primary = new ReplicationClient(primaryIdentity, SETTINGS, primaryPeers);
    }

    @AfterEach
    void stop() {
        primary.close();
        server.close();
    }

    private Peer pairPrimary() throws Exception {
        return primary.pair(primaryPeers, "dr", drAddress, drTokens.issue());
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        return future.handle((v, e) -> e).join();
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void pairingPinsBothSidesAndThenASessionCarriesFramesBothWays() throws Exception {
        Peer dr = Pairing.pair(primaryIdentity, primaryPeers, "dr", drAddress, drTokens.issue());

        assertThat(dr.fingerprint()).isEqualTo(drIdentity.fingerprint());
        assertThat(primaryPeers.get("dr")).contains(dr);
        assertThat(dr.address()).isEqualTo(drAddress);
        Peer pinnedAtDr = drPeers.get("primary-site").orElseThrow();
        assertThat(pinnedAtDr.fingerprint()).isEqualTo(primaryIdentity.fingerprint());
        assertThat(pinnedAtDr.address()).isEmpty();
        assertThat(accepting.sessions).as("pairing opens no replication session").isEmpty();

        RecordingHandler atPrimary = new RecordingHandler();
        LinkSession session = primary.connect(dr, atPrimary).get(10, TimeUnit.SECONDS);
        Accepting.Accepted atDr = accepting.next();
        assertThat(atDr.peer().name()).isEqualTo("primary-site");
        assertThat(session.peer()).isEqualTo(dr);

        session.send(16, bytes("to dr")).get(10, TimeUnit.SECONDS);
        atDr.session().send(255, bytes("to primary")).get(10, TimeUnit.SECONDS);

        RecordingHandler.Received up = atDr.handler().next();
        assertThat(up.type()).isEqualTo(16);
        assertThat(new String(up.payload(), StandardCharsets.UTF_8)).isEqualTo("to dr");
        RecordingHandler.Received down = atPrimary.next();
        assertThat(down.type()).isEqualTo(255);
        assertThat(new String(down.payload(), StandardCharsets.UTF_8)).isEqualTo("to primary");

        session.close();
        assertThat(atPrimary.closed.get(10, TimeUnit.SECONDS)).isSameAs(RecordingHandler.ORDERLY);
        assertThat(atDr.handler().closed.get(10, TimeUnit.SECONDS)).hasMessageContaining("closed by the peer");
    }

    @Test
    void framesOfZeroOneAndSixteenMebibytesRoundTrip() throws Exception {
        RecordingHandler atPrimary = new RecordingHandler();
        LinkSession session = primary.connect(pairPrimary(), atPrimary).get(10, TimeUnit.SECONDS);
        Accepting.Accepted atDr = accepting.next();
        byte[] big = new byte[FrameDescriptor.MAX_PAYLOAD];
        new Random(7).nextBytes(big);

        session.send(20, Unpooled.buffer(0));
        session.send(21, Unpooled.wrappedBuffer(new byte[] {42}));
        session.send(22, Unpooled.wrappedBuffer(big)).get(20, TimeUnit.SECONDS);
        atDr.session().send(23, Unpooled.wrappedBuffer(big, 0, 1 << 20)).get(20, TimeUnit.SECONDS);

        assertThat(atDr.handler().next()).satisfies(f -> assertThat(f.payload()).isEmpty());
        assertThat(atDr.handler().next().payload()).containsExactly(42);
        RecordingHandler.Received large = atDr.handler().next();
        assertThat(large.type()).isEqualTo(22);
        assertThat(large.payload()).isEqualTo(big);
        assertThat(atPrimary.next().payload()).isEqualTo(Arrays.copyOf(big, 1 << 20));
    }

    @Test
    void closingTheListenerEndsItsSessionsInOrderAndTheDialerSeesThePeerGo() throws Exception {
        RecordingHandler atPrimary = new RecordingHandler();
        primary.connect(pairPrimary(), atPrimary).get(10, TimeUnit.SECONDS);
        Accepting.Accepted atDr = accepting.next();

        server.close();

        assertThat(atDr.handler().closed.get(10, TimeUnit.SECONDS)).isSameAs(RecordingHandler.ORDERLY);
        assertThat(atPrimary.closed.get(10, TimeUnit.SECONDS)).hasMessageContaining("closed by the peer");
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void closingTheDialerEndsItsSessionsInOrder() throws Exception {
        RecordingHandler atPrimary = new RecordingHandler();
        primary.connect(pairPrimary(), atPrimary).get(10, TimeUnit.SECONDS);
        Accepting.Accepted atDr = accepting.next();

        primary.close();

        assertThat(atPrimary.closed.get(10, TimeUnit.SECONDS)).isSameAs(RecordingHandler.ORDERLY);
        assertThat(atDr.handler().closed.get(10, TimeUnit.SECONDS)).hasMessageContaining("closed by the peer");
    }

    @Test
    void theSessionRunsTls13() throws Exception {
        LinkSession session = primary.connect(pairPrimary(), new RecordingHandler()).get(10, TimeUnit.SECONDS);

        SslHandler tls = ((ChannelLinkSession) session).channel().pipeline().get(SslHandler.class);
        assertThat(tls.engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void aTls12ClientIsRefusedDuringTheHandshake() throws Exception {
        SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("me", primaryIdentity.privateKey(), new char[0], new Certificate[] {primaryIdentity.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        tls12.init(kmf.getKeyManagers(), new TrustManager[] {new PinnedTrustManager(drIdentity.fingerprint())}, null);

        try (SSLSocket socket = (SSLSocket) tls12.getSocketFactory().createSocket("127.0.0.1", server.localAddress().getPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setSoTimeout(10_000);
            assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLException.class);
        }
        assertThat(accepting.sessions).isEmpty();
    }

    @Test
    void aSenderThatOutrunsTheSocketSeesNotWritableAndThenOnWritable() throws Exception {
        CountDownLatch writableAgain = new CountDownLatch(1);
        RecordingHandler atPrimary = new RecordingHandler() {
            @Override
            public void onWritable(LinkSession session) {
                writableAgain.countDown();
            }
        };
        LinkSession session = primary.connect(pairPrimary(), atPrimary).get(10, TimeUnit.SECONDS);
        Accepting.Accepted atDr = accepting.next();
        int frames = 6;

        CompletableFuture<Void> last = null;
        for (int i = 0; i < frames; i++) {
            last = session.send(40 + i, Unpooled.wrappedBuffer(new byte[1 << 20]));
        }

        assertThat(session.writable()).as("6 MiB queued is above the 4 MiB high-water mark").isFalse();
        assertThat(writableAgain.await(20, TimeUnit.SECONDS)).isTrue();
        last.get(20, TimeUnit.SECONDS);
        for (int i = 0; i < frames; i++) {
            assertThat(atDr.handler().next().type()).isEqualTo(40 + i);
        }
    }

    @Test
    void sendRefusesLinkTypesAndOversizedPayloadsAndReleasesThem() throws Exception {
        LinkSession session = primary.connect(pairPrimary(), new RecordingHandler()).get(10, TimeUnit.SECONDS);
        ByteBuf linkType = bytes("x");
        ByteBuf tooBig = Unpooled.buffer(FrameDescriptor.MAX_PAYLOAD + 1).writerIndex(FrameDescriptor.MAX_PAYLOAD + 1);

        assertThat(failureOf(session.send(7, linkType))).hasMessageContaining("frame type: 7 (expected: 16..255)");
        assertThat(failureOf(session.send(16, tooBig))).hasMessageContaining("expected: 0.." + FrameDescriptor.MAX_PAYLOAD);
        assertThat(linkType.refCnt()).isZero();
        assertThat(tooBig.refCnt()).isZero();
        assertThat(session.writable()).isTrue();
    }

    @Test
    void aTokenWorksOnceOnly() throws Exception {
        String token = drTokens.issue();
        primary.pair(primaryPeers, "dr", drAddress, token);
        Identity intruder = Identity.generate("intruder");

        try (ReplicationClient other = new ReplicationClient(intruder, SETTINGS)) {
            assertThatThrownBy(() -> other.pair(PeerStore.open(dir.resolve("intruder")), "dr", drAddress, token))
                    .isInstanceOfSatisfying(PairingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_TOKEN))
                    .hasMessageContaining("already used");
        }
        assertThat(drPeers.byFingerprint(intruder.fingerprint())).isEmpty();
        assertThat(drPeers.list()).extracting(Peer::name).containsExactly("primary-site");
    }

    @Test
    void anExpiredTokenIsRefused() {
        String token = drTokens.issue();
        clock.advance(Duration.ofMinutes(11));

        assertThatThrownBy(() -> primary.pair(primaryPeers, "dr", drAddress, token))
                .isInstanceOfSatisfying(PairingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED));
        assertThat(drPeers.list()).isEmpty();
        assertThat(primaryPeers.list()).isEmpty();
    }

    @Test
    void aWrongTokenIsRefusedWithAReasonAndPinsNothing() {
        String token = drTokens.issue();
        // flip a character in the middle of the secret: every bit of it is significant there
        int at = token.length() - 10;
        String forged = token.substring(0, at) + (token.charAt(at) == 'A' ? 'Q' : 'A') + token.substring(at + 1);

        assertThatThrownBy(() -> primary.pair(primaryPeers, "dr", drAddress, forged))
                .isInstanceOfSatisfying(PairingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_TOKEN))
                .hasMessageContaining("unknown token");
        assertThat(drPeers.list()).isEmpty();
        assertThat(primaryPeers.list()).isEmpty();
    }

    @Test
    void aTokenNamingAnotherCertificateFailsTheHandshakeAsAFingerprintMismatch() {
        String elsewhere = new PairingTokens(Identity.generate("elsewhere")).issue();

        assertThatThrownBy(() -> primary.pair(primaryPeers, "dr", drAddress, elsewhere))
                .isInstanceOfSatisfying(PairingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.FINGERPRINT_MISMATCH))
                .hasMessageContaining(drIdentity.fingerprint());
        assertThat(drPeers.list()).isEmpty();
        assertThat(primaryPeers.list()).isEmpty();
    }

    @Test
    void anAddressWhereNobodyListensIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }

        assertThatThrownBy(() -> primary.pair(primaryPeers, "dr", "127.0.0.1:" + closedPort, drTokens.issue()))
                .isInstanceOfSatisfying(PairingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE));
    }

    @Test
    void aClientWithAnUnpinnedCertificateIsRefusedAndNoHandlerIsEverCalled() throws Exception {
        pairPrimary();
        // same name as the paired primary, but another key: the name proves nothing
        Identity impostor = Identity.generate("primary-site");
        Peer dr = new Peer("dr", drAddress, drIdentity.fingerprint(), drIdentity.certificate(), Instant.now());
        RecordingHandler handler = new RecordingHandler();

        try (ReplicationClient other = new ReplicationClient(impostor, SETTINGS)) {
            Throwable refused = failureOf(other.connect(dr, handler));
            assertThat(refused).isInstanceOf(LinkRefusedException.class).hasMessageContaining("not paired");
        }
        assertThat(accepting.sessions).isEmpty();
        assertThat(handler.closed).isNotDone();
        assertThat(handler.all).isEmpty();
    }

    /** A dialer that sends whatever frames a test wants right after TLS, bypassing HELLO. */
    static final class RawDialer extends LinkChannelHandler {
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        final List<Integer> answers = new CopyOnWriteArrayList<>();
        private final Frame[] frames;

        RawDialer(FrameDecoder decoder, Frame... frames) {
            super(SETTINGS, decoder);
            this.frames = frames;
        }

        @Override
        void onTlsReady(ChannelHandlerContext ctx, X509Certificate peerCertificate) {
            for (Frame f : frames) {
                ctx.writeAndFlush(f);
            }
        }

        @Override
        void onLinkFrame(ChannelHandlerContext ctx, LinkFrameType type, int code, ByteBuf payload) {
            answers.add(code);
        }

        @Override
        void onChannelClosed(Throwable cause) {
            closed.complete(cause);
        }
    }

    private RawDialer dialRaw(Identity as, Frame... frames) throws Exception {
        CompletableFuture<RawDialer> created = new CompletableFuture<>();
        try (ReplicationClient raw = new ReplicationClient(as, SETTINGS)) {
            raw.dial(server.localAddress(), TlsContexts.client(as, drIdentity.fingerprint()), decoder -> {
                RawDialer d = new RawDialer(decoder, frames);
                created.complete(d);
                return d;
            }, new CompletableFuture<>());
            RawDialer dialer = created.get(10, TimeUnit.SECONDS);
            // the listener must close the connection by itself
            dialer.closed.get(10, TimeUnit.SECONDS);
            return dialer;
        }
    }

    @Test
    void anUnpinnedClientSendingReplicationFramesIsClosedWithoutReachingAnyHandler() throws Exception {
        pairPrimary();
        Identity stranger = Identity.generate("stranger");

        RawDialer dialer = dialRaw(stranger, new Frame(16, bytes("give me data")));

        assertThat(dialer.answers).isEmpty();
        assertThat(accepting.sessions).isEmpty();
    }

    @Test
    void aPairedClientSendingReplicationFramesBeforeHelloIsClosedWithoutReachingAnyHandler() throws Exception {
        pairPrimary();

        RawDialer dialer = dialRaw(primaryIdentity, new Frame(16, bytes("too early")));

        assertThat(dialer.answers).isEmpty();
        assertThat(accepting.sessions).isEmpty();
    }

    @Test
    void anUnpinnedClientSayingHelloIsRefusedWithAReason() throws Exception {
        Identity stranger = Identity.generate("stranger");

        RawDialer dialer = dialRaw(stranger, LinkMessages.frame(Unpooled.buffer().alloc(), LinkFrameType.HELLO, Map.of("name", "x")));

        assertThat(dialer.answers).containsExactly(LinkFrameType.REFUSED.code);
        assertThat(accepting.sessions).isEmpty();
    }

    @Test
    void aRevokedPeersLiveConnectionIsClosedAndItCannotReconnect() throws Exception {
        Peer dr = pairPrimary();
        RecordingHandler atPrimary = new RecordingHandler();
        LinkSession session = primary.connect(dr, atPrimary).get(10, TimeUnit.SECONDS);
        Accepting.Accepted atDr = accepting.next();
        session.send(16, bytes("before")).get(10, TimeUnit.SECONDS);
        atDr.handler().next();

        assertThat(drPeers.revoke("primary-site")).isTrue();

        assertThat(atDr.handler().closed.get(10, TimeUnit.SECONDS)).isInstanceOf(LinkRefusedException.class)
                .hasMessageContaining("revoked");
        assertThat(atPrimary.closed.get(10, TimeUnit.SECONDS)).isNotSameAs(RecordingHandler.ORDERLY);
        assertThat(failureOf(primary.connect(dr, new RecordingHandler()))).isInstanceOf(LinkRefusedException.class);
        assertThat(accepting.sessions).isEmpty();
    }

    @Test
    void revokingThePeerOnTheDialingSideClosesItsOutgoingSession() throws Exception {
        RecordingHandler atPrimary = new RecordingHandler();
        primary.connect(pairPrimary(), atPrimary).get(10, TimeUnit.SECONDS);
        Accepting.Accepted atDr = accepting.next();

        primaryPeers.revoke("dr");

        assertThat(atPrimary.closed.get(10, TimeUnit.SECONDS)).isInstanceOf(LinkRefusedException.class).hasMessageContaining("revoked");
        assertThat(atDr.handler().closed.get(10, TimeUnit.SECONDS)).hasMessageContaining("closed by the peer");
    }

    @Test
    void aByteFlippedInFlightFailsTheConnectionAndNoCorruptedFrameIsDelivered() throws Exception {
        Peer direct = pairPrimary();
        try (TcpRelay relay = new TcpRelay(server.localAddress())) {
            Peer viaRelay = new Peer(direct.name(), relay.address(), direct.fingerprint(), direct.certificate(), direct.pairedAt());
            RecordingHandler atPrimary = new RecordingHandler();
            LinkSession session = primary.connect(viaRelay, atPrimary).get(10, TimeUnit.SECONDS);
            Accepting.Accepted atDr = accepting.next();
            session.send(16, bytes("intact")).get(10, TimeUnit.SECONDS);
            assertThat(atDr.handler().next().payload()).isEqualTo("intact".getBytes(StandardCharsets.UTF_8));

            relay.flipUpstreamByteAfter(1000);
            session.send(17, Unpooled.wrappedBuffer(new byte[64 << 10]));

            assertThat(relay.flipped.await(10, TimeUnit.SECONDS)).isTrue();
            Throwable cause = atDr.handler().closed.get(10, TimeUnit.SECONDS);
            assertThat(causedBy(cause, SSLException.class)).as("TLS detected the change: %s", cause).isTrue();
            atPrimary.closed.get(10, TimeUnit.SECONDS);
            assertThat(atDr.handler().all).extracting(RecordingHandler.Received::type).containsExactly(16);
        }
    }

    @Test
    void anOversizedFrameLengthClosesTheConnection() throws Exception {
        RecordingHandler atPrimary = new RecordingHandler();
        LinkSession session = primary.connect(pairPrimary(), atPrimary).get(10, TimeUnit.SECONDS);
        Accepting.Accepted atDr = accepting.next();

        ByteBuf header = Unpooled.buffer().writeInt(FrameDescriptor.MAX_PAYLOAD + 1).writeByte(16).writeZero(64);
        ((ChannelLinkSession) session).channel().writeAndFlush(header);

        Throwable cause = atDr.handler().closed.get(10, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(FrameException.class).hasMessageContaining(String.valueOf(FrameDescriptor.MAX_PAYLOAD + 1));
        atPrimary.closed.get(10, TimeUnit.SECONDS);
        assertThat(atDr.handler().all).isEmpty();
    }

    /** A second listener on the same DR identity and stores, and a dialer, both with {@link #QUICK_IDLE}. */
    private interface QuickIdleTest {
        void run(ReplicationServer quickServer, ReplicationClient quickPrimary, Peer dr) throws Exception;
    }

    private void withQuickIdle(QuickIdleTest test) throws Exception {
        Peer paired = pairPrimary();
        ReplicationServer quickServer = new ReplicationServer(drIdentity, drPeers, drTokens,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), accepting, QUICK_IDLE);
        quickServer.start();
        try (ReplicationClient quickPrimary = new ReplicationClient(primaryIdentity, QUICK_IDLE)) {
            Peer dr = new Peer(paired.name(), "127.0.0.1:" + quickServer.localAddress().getPort(), paired.fingerprint(),
                    paired.certificate(), paired.pairedAt());
            test.run(quickServer, quickPrimary, dr);
        } finally {
            quickServer.close();
        }
    }

    @Test
    void aStalledLinkIsDetectedByTheIdleTimeoutAndClosedOnBothSides() throws Exception {
        withQuickIdle((quickServer, quickPrimary, direct) -> {
            try (TcpRelay relay = new TcpRelay(quickServer.localAddress())) {
                Peer viaRelay = new Peer(direct.name(), relay.address(), direct.fingerprint(), direct.certificate(), direct.pairedAt());
                RecordingHandler atPrimary = new RecordingHandler();
                quickPrimary.connect(viaRelay, atPrimary).get(10, TimeUnit.SECONDS);
                Accepting.Accepted atDr = accepting.next();
                long stalledAt = System.nanoTime();

                relay.stall();

                assertThat(atPrimary.closed.get(10, TimeUnit.SECONDS)).hasMessageContaining("idle");
                assertThat(atDr.handler().closed.get(10, TimeUnit.SECONDS)).hasMessageContaining("idle");
                assertThat(Duration.ofNanos(System.nanoTime() - stalledAt)).isLessThan(QUICK_IDLE.idleTimeout().multipliedBy(4));
            }
        });
    }

    @Test
    void anIdleButHealthyLinkStaysOpenThanksToPings() throws Exception {
        withQuickIdle((quickServer, quickPrimary, dr) -> {
            RecordingHandler atPrimary = new RecordingHandler();
            LinkSession session = quickPrimary.connect(dr, atPrimary).get(10, TimeUnit.SECONDS);
            Accepting.Accepted atDr = accepting.next();

            // neither handler sends anything for twice the idle timeout
            assertThat(atPrimary.closed.copy().completeOnTimeout(null, QUICK_IDLE.idleTimeout().toMillis() * 2, TimeUnit.MILLISECONDS)
                    .get(10, TimeUnit.SECONDS)).isNull();

            session.send(30, bytes("still here")).get(10, TimeUnit.SECONDS);
            assertThat(atDr.handler().next().type()).isEqualTo(30);
            assertThat(atDr.handler().closed).isNotDone();
        });
    }
}
