package io.tidemark.replicator.ship;

import io.tidemark.replicator.link.FrameHandler;
import io.tidemark.replicator.link.LinkSession;
import io.tidemark.replicator.pki.Peer;
import java.util.concurrent.CompletableFuture;

/**
 * Opens a link session to a peer (the appliance binds {@code ReplicationClient.connect} to its
 * identity; tests use an in-memory pair).
 */
@FunctionalInterface
public interface Connector {
    CompletableFuture<LinkSession> connect(Peer peer, FrameHandler handler);
}
