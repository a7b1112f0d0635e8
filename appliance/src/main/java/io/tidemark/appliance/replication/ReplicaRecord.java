package io.tidemark.appliance.replication;

import io.tidemark.replicator.ship.GroupDescriptor;

/**
 * What {@code replicas/GROUP/replica.json} holds: a group replicated to this appliance.
 *
 * @param version        format version of this file (1)
 * @param group          the group as its primary last described it (volumes in LUN order)
 * @param peer           name of the primary peer it comes from
 * @param fingerprint    that peer's certificate fingerprint: another appliance may not take the group over
 * @param createdAt      ISO-8601, when the first PROTECT arrived
 */
public record ReplicaRecord(int version, GroupDescriptor group, String peer, String fingerprint, String createdAt) {

    public static final int CURRENT_VERSION = 1;

    public ReplicaRecord withGroup(GroupDescriptor updated) {
        return new ReplicaRecord(version, updated, peer, fingerprint, createdAt);
    }
}
