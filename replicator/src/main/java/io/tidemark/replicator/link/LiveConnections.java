package io.tidemark.replicator.link;

import io.netty.channel.Channel;
import io.tidemark.replicator.pki.Peer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Open channels by the fingerprint of the certificate at their other end, so a revocation can drop them. Thread-safe. */
final class LiveConnections {

    private final ConcurrentHashMap<String, Set<Channel>> byFingerprint = new ConcurrentHashMap<>();

    /** Tracks {@code channel} until it closes. */
    void register(String fingerprint, Channel channel) {
        byFingerprint.computeIfAbsent(fingerprint, k -> ConcurrentHashMap.newKeySet()).add(channel);
        channel.closeFuture().addListener(f -> byFingerprint.computeIfPresent(fingerprint, (k, set) -> {
            set.remove(channel);
            return set.isEmpty() ? null : set;
        }));
    }

    /** Closes every tracked connection as an orderly local close (the handlers get onClose with a null cause). */
    void closeAll() {
        byFingerprint.values().forEach(set -> set.forEach(LiveConnections::closeLocally));
    }

    static void closeLocally(Channel ch) {
        if (ch.pipeline().get("link") instanceof LinkChannelHandler link) {
            link.markClosedLocally();
        }
        ch.close();
    }

    /** Asks every connection of {@code revoked}'s certificate to close (each logs one line). */
    void drop(Peer revoked) {
        Set<Channel> live = byFingerprint.get(revoked.fingerprint());
        if (live == null) {
            return;
        }
        String reason = "peer " + revoked.name() + " was revoked (certificate " + revoked.fingerprint() + ")";
        for (Channel ch : live) {
            // delivered on the channel's event loop, where the link handler closes it
            ch.pipeline().fireUserEventTriggered(new LinkChannelHandler.CloseRequest(reason));
        }
    }
}
