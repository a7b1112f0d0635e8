package io.tidemark.replicator.link;

import io.tidemark.replicator.pki.Peer;

/** Creates the frame handler of each authenticated session accepted by a {@link ReplicationServer}. */
public interface FrameHandlerFactory {

    /** Called on the session's event loop once the pinned peer has been authenticated; never block. */
    FrameHandler forPeer(Peer peer, LinkSession session);
}
