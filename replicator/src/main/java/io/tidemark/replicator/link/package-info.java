/**
 * The replication link: TLS 1.3 with mutual authentication over Netty, framed as
 * {@link io.tidemark.replicator.link.FrameDescriptor} describes. The listener
 * ({@link io.tidemark.replicator.link.ReplicationServer}) and dialer
 * ({@link io.tidemark.replicator.link.ReplicationClient}) exchange HELLO/READY, or PAIR/PAIRED
 * for {@link io.tidemark.replicator.link.Pairing}, then carry replication frames (types 16-255)
 * between {@link io.tidemark.replicator.link.FrameHandler}s, with keepalive pings and an idle timeout.
 */
package io.tidemark.replicator.link;
