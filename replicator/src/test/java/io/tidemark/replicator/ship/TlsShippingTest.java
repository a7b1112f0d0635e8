package io.tidemark.replicator.ship;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.tidemark.replicator.link.LinkSettings;
import io.tidemark.replicator.link.ReplicationClient;
import io.tidemark.replicator.link.ReplicationServer;
import io.tidemark.replicator.pki.Identity;
import io.tidemark.replicator.pki.PairingTokens;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.pki.PeerStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Shipping over the real link: TLS 1.3 on loopback between a paired primary and DR. */
@Timeout(120)
class TlsShippingTest {

    @TempDir
    Path dir;

    @Test
    void shouldSyncAndShipOverAPairedTlsLink() throws Exception {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        LinkSettings link = new LinkSettings(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(2));
        Identity drIdentity = Identity.loadOrCreate(dir.resolve("dr/identity"), "dr-site");
        PeerStore drPeers = PeerStore.open(dir.resolve("dr/peers"));
        PairingTokens tokens = new PairingTokens(drIdentity, Clock.systemUTC(), Duration.ofMinutes(10));
        Identity primaryIdentity = Identity.loadOrCreate(dir.resolve("primary/identity"), "primary-site");
        PeerStore primaryPeers = PeerStore.open(dir.resolve("primary/peers"));
        try (ShipFixture f = new ShipFixture(dir)) {
            ReplicationServer server = new ReplicationServer(drIdentity, drPeers, tokens,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), f.receiver, link);
            ReplicationClient client = new ReplicationClient(primaryIdentity, link, primaryPeers);
            try {
                server.start();
                Peer dr = client.pair(primaryPeers, "dr", "127.0.0.1:" + server.localAddress().getPort(), tokens.issue());
                ShipFixture.join(f.writeRandomly(200));

                GroupShipper shipper = f.start(ShipFixture.settings("async"), dr, client::connect);
                ShipFixture.join(f.writeRandomly(300));
                f.awaitCaughtUp(Duration.ofSeconds(60));
                server.close();
                ShipFixture.await(Duration.ofSeconds(30), () -> !shipper.status().state().equals("PROTECTED"),
                        shipper::status);
                ShipFixture.join(f.writeRandomly(100));
                server = new ReplicationServer(drIdentity, drPeers, tokens, new InetSocketAddress(
                        InetAddress.getLoopbackAddress(), Integer.parseInt(dr.address().split(":")[1])), f.receiver, link);
                server.start();
                f.awaitCaughtUp(Duration.ofSeconds(60));

                f.assertContiguous();
                f.assertReplicaEqualsPrimary();
                assertThat(f.syncStarts()).isEqualTo(1);
            } finally {
                if (f.shipper != null) {
                    f.shipper.close();
                }
                client.close();
                server.close();
            }
        }
    }
}
