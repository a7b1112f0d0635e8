package io.tidemark.appliance.api;

/**
 * A paired peer in API responses.
 *
 * @param address     host:port its replication port listens on; "" when only the peer dials this appliance
 * @param fingerprint SHA-256 of its pinned certificate, hex
 * @param pairedAt    ISO-8601
 */
public record PeerView(String name, String address, String fingerprint, String pairedAt) {}
