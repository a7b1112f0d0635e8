package io.tidemark.appliance.replication;

import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.replicator.link.FrameHandlerFactory;
import io.tidemark.replicator.link.Pairing;
import io.tidemark.replicator.link.ReplicationClient;
import io.tidemark.replicator.link.ReplicationServer;
import io.tidemark.replicator.pki.Identity;
import io.tidemark.replicator.pki.PairingException;
import io.tidemark.replicator.pki.PairingTokens;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.pki.PeerStore;
import io.tidemark.replicator.ship.Connector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This appliance on the replication link: its identity ({@code identity/}), its pinned peers
 * ({@code peers/}), the one-time pairing tokens it issues, and the TLS listener paired peers
 * dial ({@code replication.address:port}). Thread-safe.
 */
public final class ReplicationLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationLink.class);

    private final Identity identity;
    private final PeerStore peers;
    private final PairingTokens tokens;
    private final ReplicationServer server;

    private ReplicationLink(Identity identity, PeerStore peers, PairingTokens tokens, ReplicationServer server) {
        this.identity = identity;
        this.peers = peers;
        this.tokens = tokens;
        this.server = server;
    }

    /**
     * Loads (or creates) the identity and the peers, and starts listening; sessions of paired
     * peers are handed to {@code receiver}.
     */
    public static ReplicationLink start(ApplianceConfig config, FrameHandlerFactory receiver) throws IOException {
        ApplianceConfig.Replication rc = config.replication();
        Identity identity = Identity.loadOrCreate(config.identityDir(), rc.name());
        PeerStore peers = PeerStore.open(config.peersDir());
        PairingTokens tokens = new PairingTokens(identity, Clock.systemUTC(), PairingTokens.DEFAULT_TTL);
        ReplicationServer server = new ReplicationServer(identity, peers, tokens,
                new InetSocketAddress(rc.address(), rc.port()), receiver);
        server.start();
        LOG.info("appliance {}: certificate {}, {} paired peer(s), replication port {}", identity.name(),
                identity.fingerprint(), peers.list().size(), server.localAddress().getPort());
        return new ReplicationLink(identity, peers, tokens, server);
    }

    public Identity identity() {
        return identity;
    }

    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    public PairingTokens.IssuedToken issueToken() {
        return tokens.issueToken();
    }

    /** Dials HOST:PORT, checks it presents the certificate the token names, redeems the token there, pins it here. */
    public Peer pair(String name, String hostPort, String token) throws PairingException, IOException {
        return Pairing.pair(identity, peers, name, hostPort, token);
    }

    public List<Peer> peers() {
        return peers.list();
    }

    public Optional<Peer> peer(String name) {
        return peers.get(name);
    }

    /** Unpins NAME (its live connections drop); false when no such peer. */
    public boolean revoke(String name) throws IOException {
        return peers.revoke(name);
    }

    public void onRevocation(Consumer<Peer> listener) {
        peers.addRevocationListener(listener);
    }

    /** Dials pinned peers with this appliance's identity. */
    public Connector connector() {
        return (peer, handler) -> ReplicationClient.connect(identity, peer, handler);
    }

    @Override
    public void close() {
        server.close();
    }
}
