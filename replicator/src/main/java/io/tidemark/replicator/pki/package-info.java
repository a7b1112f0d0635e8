/**
 * Who an appliance is and whom it trusts: its {@link io.tidemark.replicator.pki.Identity} (key pair
 * and self-signed certificate), the {@link io.tidemark.replicator.pki.PeerStore} of pinned peer
 * certificates, and one-time {@link io.tidemark.replicator.pki.PairingTokens}. There is no CA:
 * trust is a pinned SHA-256 fingerprint, exchanged once by pairing.
 */
package io.tidemark.replicator.pki;
