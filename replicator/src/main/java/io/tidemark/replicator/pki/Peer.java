package io.tidemark.replicator.pki;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

/**
 * A paired appliance whose certificate is pinned.
 *
 * @param name        the name this appliance knows the peer by
 * @param address     host:port the peer listens on for replication, "" when only the peer dials us
 * @param fingerprint SHA-256 of the DER certificate, lowercase hex (see {@link Fingerprint})
 * @param certificate the pinned certificate
 * @param pairedAt    when it was pinned
 */
public record Peer(String name, String address, String fingerprint, X509Certificate certificate, Instant pairedAt) {

    public Peer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(pairedAt, "pairedAt");
    }

    /** Whether the peer can be dialled (it has a listening address). */
    public boolean dialable() {
        return !address.isEmpty();
    }

    @Override
    public String toString() {
        return "Peer[" + name + (address.isEmpty() ? "" : " at " + address) + ", " + fingerprint.substring(0, 16) + "...]";
    }
}
