/**
 * Shipping a consistency group to its DR peer. On the primary a
 * {@link io.tidemark.replicator.ship.GroupShipper} per protected group tails the group's journal,
 * seals what is durable and sends it in batches over a link session; at the DR a
 * {@link io.tidemark.replicator.ship.ReplicaReceiver} checks order and integrity, appends to the
 * group's {@link io.tidemark.replicator.ship.ReplicaSink} (the DR history), syncs and
 * acknowledges. The frames are described in {@link io.tidemark.replicator.ship.ReplicationFrames}.
 *
 * <p>Invariants: the DR receives every sequence once, in order (a gap only before the sync-start
 * marker of a full sync); nothing is shipped before the primary's journal holds it durably;
 * nothing the DR has not acknowledged as durable is trimmed from the primary's journal (consumer
 * {@code peer:NAME}); a record that does not verify is never stored, and shipping resumes right
 * after the last good one.
 */
package io.tidemark.replicator.ship;
