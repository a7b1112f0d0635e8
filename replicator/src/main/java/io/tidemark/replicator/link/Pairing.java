package io.tidemark.replicator.link;

import io.tidemark.replicator.pki.Identity;
import io.tidemark.replicator.pki.PairingException;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.pki.PeerStore;
import java.io.IOException;

/** The dialing side of pairing (`tidemark peer pair NAME --address HOST:PORT --token T`). */
public final class Pairing {

    private Pairing() {
    }

    /**
     * Dials {@code hostPort}, checks that it presents the certificate named in {@code token},
     * redeems the token there (the other side pins us under {@code identity.name()}), and pins
     * its certificate here under {@code peerName} with address {@code hostPort}.
     *
     * @throws PairingException with {@link PairingException#reason()}: BAD_TOKEN, EXPIRED,
     *         FINGERPRINT_MISMATCH, UNREACHABLE or REFUSED
     * @throws IOException when the peer store cannot be written
     * @throws IllegalArgumentException when {@code peerName} or {@code hostPort} is malformed
     */
    public static Peer pair(Identity identity, PeerStore store, String peerName, String hostPort, String token)
            throws PairingException, IOException {
        try (ReplicationClient client = new ReplicationClient(identity)) {
            return client.pair(store, peerName, hostPort, token);
        }
    }
}
