package io.tidemark.replicator.ship;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.tidemark.journal.RecordType;
import io.tidemark.replicator.link.FrameHandler;
import io.tidemark.replicator.link.LinkSession;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.seal.DataKey;
import io.tidemark.replicator.seal.SealedRecord;
import io.tidemark.replicator.seal.TamperedRecordException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DR end of one link session: frames are queued by the event loop and handled by this
 * session's worker thread. Every record of a batch is checked (structure, group, epoch, the
 * sequence right after the last one; only a METADATA record, the sync-start of a full sync,
 * may follow a gap) and appended to the sink, which verifies its tag. After the frames queued
 * so far, one sync and one ACK of the durable sequence (group commit). The first bad record
 * ends the session: what came before it is synced and acknowledged, nothing of it or after it
 * is appended, an ERROR frame names group and sequence, and the link is closed; the primary
 * reconnects and resumes from the last good sequence. Thread-safe (the queue is the hand-off).
 */
final class ReceiverSession implements FrameHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ReceiverSession.class);
    private static final Inbound END = new Inbound(-1, Unpooled.EMPTY_BUFFER);

    private final Peer peer;
    private final LinkSession session;
    private final ReplicaDirectory directory;
    private final MeterRegistry registry;
    private final ReplicaReceiver owner;
    private final LinkedBlockingQueue<Inbound> inbox = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean ended;

    // owned by the worker
    private GroupDescriptor desc;
    private ReplicaSink sink;
    private long lastAppended;
    private long lastEpoch;
    private boolean unsynced;
    private CompositeByteBuf parts;
    private Counter receivedBytes;
    private Counter receivedRecords;

    ReceiverSession(Peer peer, LinkSession session, ReplicaDirectory directory, MeterRegistry registry,
                    ReplicaReceiver owner) {
        this.peer = peer;
        this.session = session;
        this.directory = directory;
        this.registry = registry;
        this.owner = owner;
        this.worker = new Thread(this::work, "tidemark-receive-" + peer.name());
        worker.setDaemon(true);
    }

    void start() {
        worker.start();
    }

    @Override
    public void onFrame(LinkSession s, int type, ByteBuf payload) {
        if (ended) {
            return;
        }
        inbox.add(new Inbound(type, payload.retain()));
    }

    @Override
    public void onClose(LinkSession s, Throwable cause) {
        if (!ended) {
            LOG.info("group {}: link from peer {} closed{}", desc == null ? "?" : desc.name(), peer.name(),
                    cause == null ? "" : ": " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        }
        shutdown();
    }

    /** Ends the session: the worker stops after the frame it is handling. */
    void shutdown() {
        ended = true;
        inbox.add(END);
        session.close();
    }

    /** Ends the session and waits for its worker to finish (it syncs what it appended). */
    void shutdownAndWait() throws InterruptedException {
        shutdown();
        if (Thread.currentThread() != worker) {
            worker.join(TimeUnit.SECONDS.toMillis(60));
        }
    }

    private void work() {
        try {
            while (true) {
                Inbound in = inbox.take();
                if (in == END) {
                    return;
                }
                if (!handle(in)) {
                    return;
                }
                // group commit: everything that queued up meanwhile, then one sync and one ACK
                while ((in = inbox.poll()) != null) {
                    if (in == END || !handle(in)) {
                        return;
                    }
                }
                if (unsynced) {
                    acknowledge();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            refuse(lastAppended + 1, "DR store failed: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("group {}: receiving from peer {} failed", desc == null ? "?" : desc.name(), peer.name(), e);
            refuse(lastAppended + 1, "DR failed: " + e);
        } finally {
            ended = true;
            Inbound left;
            while ((left = inbox.poll()) != null) {
                left.payload.release();
            }
            if (parts != null) {
                parts.release();
                parts = null;
            }
            if (sink != null) {
                if (unsynced) {
                    try {
                        sink.sync(); // a session taking over resumes from the durable sequence
                    } catch (IOException e) {
                        LOG.warn("group {}: sync at the end of the link from peer {} failed: {}", desc.name(),
                                peer.name(), e.getMessage());
                    }
                }
                directory.release(peer, desc, sink);
            }
            owner.ended(desc == null ? null : desc.name(), this);
        }
    }

    /** Handles one frame (and releases it); false when the session must end. */
    private boolean handle(Inbound in) throws IOException {
        try {
            return switch (in.type) {
                case ReplicationFrames.PROTECT -> protect(in.payload);
                case ReplicationFrames.BATCH_MORE -> part(in.payload);
                case ReplicationFrames.BATCH -> batch(in.payload);
                default -> refuse(lastAppended + 1, "unexpected frame " + ReplicationFrames.name(in.type));
            };
        } finally {
            in.payload.release();
        }
    }

    private boolean protect(ByteBuf payload) throws IOException {
        if (sink != null) {
            return refuse(lastAppended + 1, "PROTECT twice on one link");
        }
        ProtectMessage m;
        DataKey key;
        GroupDescriptor d;
        try {
            m = ReplicationFrames.parse(payload, ProtectMessage.class);
            d = m.descriptor();
            key = DataKey.of(m.keyBytes());
        } catch (IOException | IllegalArgumentException e) {
            return refuse(0, "bad PROTECT: " + e.getMessage());
        }
        desc = d;
        try {
            owner.claim(d.name(), this);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            sink = directory.open(peer, d, key);
        } catch (IOException | RuntimeException e) {
            return refuse(0, "cannot open the replica: " + e.getMessage());
        }
        if (d.epoch() < sink.epoch()) {
            return refuse(0, "primary epoch " + d.epoch() + " is older than the replica's " + sink.epoch()
                    + " (another primary took over)");
        }
        lastAppended = sink.durableSequence();
        lastEpoch = sink.epoch();
        receivedBytes = Counter.builder("tidemark.replication.received").baseUnit("bytes")
                .description("Bytes of sealed records received from the primary").tag("group", d.name()).register(registry);
        receivedRecords = Counter.builder("tidemark.replication.received.records")
                .description("Records received from the primary and stored").tag("group", d.name()).register(registry);
        session.send(ReplicationFrames.RESUME, ReplicationFrames.json(new ResumeMessage(d.name(), sink.epoch(),
                lastAppended, sink.initialSyncComplete())));
        LOG.info("group {}: peer {} protects it ({} mode, epoch {}); resuming after seq {}", d.name(), peer.name(),
                m.mode(), d.epoch(), lastAppended);
        return true;
    }

    private boolean part(ByteBuf payload) {
        if (parts == null) {
            parts = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        }
        if (parts.readableBytes() + (long) payload.readableBytes() > ReplicationFrames.MAX_BATCH) {
            return refuse(lastAppended + 1, "batch of more than " + ReplicationFrames.MAX_BATCH + " bytes");
        }
        parts.addComponent(true, payload.retain());
        return true;
    }

    private boolean batch(ByteBuf payload) throws IOException {
        if (sink == null) {
            return refuse(0, "BATCH before PROTECT");
        }
        ByteBuffer records;
        if (parts != null) {
            if (parts.readableBytes() + (long) payload.readableBytes() > ReplicationFrames.MAX_BATCH) {
                return refuse(lastAppended + 1, "batch of more than " + ReplicationFrames.MAX_BATCH + " bytes");
            }
            parts.addComponent(true, payload.retain());
            records = parts.nioBuffer();
            parts.release();
            parts = null;
        } else {
            records = payload.nioBuffer();
        }
        receivedBytes.increment(records.remaining());
        while (records.hasRemaining()) {
            long expected = lastAppended + 1;
            SealedRecord r;
            try {
                r = SealedRecord.wrap(records);
            } catch (IllegalArgumentException e) {
                return refuse(expected, "bad record: " + e.getMessage());
            }
            long seq = r.sequence();
            if (r.groupId() != desc.groupId()) {
                return refuse(seq, "record of group id " + r.groupId() + " (expected: " + desc.groupId() + ")");
            }
            if (r.epoch() < lastEpoch || r.epoch() > desc.epoch()) {
                return refuse(seq, "record epoch " + r.epoch() + " (expected: " + lastEpoch + ".." + desc.epoch() + ")");
            }
            if (seq <= lastAppended) {
                return refuse(seq, "duplicate seq " + seq + " (expected: " + expected + ")");
            }
            if (seq != expected && r.type() != RecordType.METADATA) {
                return refuse(seq, "seq " + seq + " out of order (expected: " + expected + ")");
            }
            try {
                sink.append(r);
            } catch (TamperedRecordException e) {
                return refuse(seq, "tampered record: " + e.getMessage());
            } catch (IOException | RuntimeException e) {
                return refuse(seq, "not stored: " + e.getMessage());
            }
            lastAppended = seq;
            lastEpoch = r.epoch();
            unsynced = true;
            receivedRecords.increment();
            records.position(records.position() + r.length());
        }
        return true;
    }

    private void acknowledge() throws IOException {
        long durable = sink.sync();
        unsynced = false;
        session.send(ReplicationFrames.ACK, ReplicationFrames.ack(desc.groupId(), durable));
    }

    /** Keeps what came before, tells the primary why, and closes the link. Returns false. */
    private boolean refuse(long sequence, String reason) {
        String group = desc == null ? "?" : desc.name();
        try {
            if (unsynced) {
                acknowledge();
            }
        } catch (IOException e) {
            LOG.warn("group {}: sync before refusing failed: {}", group, e.getMessage());
        }
        LOG.warn("group {}: refused seq {} from peer {}: {}; closing the link", group, sequence, peer.name(), reason);
        session.send(ReplicationFrames.ERROR, ReplicationFrames.json(new ErrorMessage(group, sequence, reason)))
                .whenComplete((v, e) -> session.close());
        ended = true;
        return false;
    }

    private record Inbound(int type, ByteBuf payload) {
    }
}
