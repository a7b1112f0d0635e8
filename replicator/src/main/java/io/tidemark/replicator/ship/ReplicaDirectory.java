package io.tidemark.replicator.ship;

import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.seal.DataKey;
import java.io.IOException;

/**
 * Where the DR site keeps its replicas: the appliance creates or reopens the history of a group
 * when a primary protects it (and again at each reconnect). Thread-safe.
 */
public interface ReplicaDirectory {

    /**
     * The sink of group {@code desc.name()} replicated from {@code from}, created on first use.
     * Called on the receiver's worker thread (may block). The same group is never open twice at
     * once through one receiver; throw to refuse (e.g. the group belongs to another peer, the key differs).
     */
    ReplicaSink open(Peer from, GroupDescriptor desc, DataKey key) throws IOException;

    /** The receiver no longer uses the sink it opened (link closed). Default: keep it open for the next connection. */
    default void release(Peer from, GroupDescriptor desc, ReplicaSink sink) {
    }
}
