package io.tidemark.replicator.ship;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.journal.ConsumerPosition;
import io.tidemark.journal.JournalReader;
import io.tidemark.journal.JournalRecord;
import io.tidemark.replicator.link.LinkSession;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.seal.DataKey;
import io.tidemark.replicator.seal.Metadata;
import io.tidemark.replicator.seal.RecordSealer;
import io.tidemark.replicator.seal.SealedRecord;
import io.tidemark.replicator.seal.SealedRecordDescriptor;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships one protected group to its DR peer: a tailer on the group's journal (its own thread)
 * reads the records the journal holds durably, seals them ({@link RecordSealer}), sends them in
 * batches over a link session and follows the DR's durable acknowledgements (which it passes on
 * to the journal consumer {@code peer:NAME}, so retention keeps what the DR lacks).
 *
 * <p>On every (re)connection both sides state where they are (PROTECT / RESUME) and shipping
 * resumes right after the DR's durable sequence: no gap, no duplicate. When the DR has nothing
 * (or the journal no longer holds what it lacks) a full sync runs ({@link InitialSync}); the
 * group is PROTECTED once the DR acknowledged its sync-complete marker. In sync mode a
 * {@link SyncGate} holds command completions until the DR acknowledged them, degrading to async
 * after {@link ShipSettings#syncTimeout()} without an ack. Thread-safe: {@link #status()} from
 * anywhere; the link's thread only records acks and wakes the ship thread.
 */
public final class GroupShipper implements AutoCloseable {

    /** Where shipping stands. */
    public enum State { CONNECTING, SYNCING, PROTECTED, DISCONNECTED, RESYNC_REQUIRED, STOPPED }

    private static final Logger LOG = LoggerFactory.getLogger(GroupShipper.class);
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long CONNECT_TIMEOUT_S = 15;
    private static final long RESUME_TIMEOUT_S = 30;
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Bytes sent and not yet acknowledged, at least. */
    private static final long MIN_WINDOW_BYTES = 8L * 1024 * 1024;

    /** Checks the sync timeout of every sync-mode shipper, even while one is busy connecting. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tidemark-ship-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final ConsistencyGroup group;
    private final GroupDescriptor desc;
    private final DataKey key;
    private final Peer peer;
    private final Connector connector;
    private final ShipSettings settings;
    private final String consumerName;
    private final long windowBytes;
    private final int batchBytes;
    private final long batchDelayNanos;
    private final ShipMetrics metrics;
    private final SyncGate gate;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final AtomicLong acked = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;
    private volatile boolean started;
    private volatile boolean signalled;
    private ScheduledFuture<?> watchdogTask;
    private volatile ShipLink connecting;

    // state published for status() and gauges
    private volatile State state = State.CONNECTING;
    private volatile String lastError;
    private volatile long shipped;
    private volatile InitialSync sync;
    private volatile boolean syncEverCompleted;
    private volatile long plainPayloadBytes;
    private volatile long sealedPayloadBytes;

    // owned by the ship thread
    private ConsumerPosition consumer;
    private RecordSealer sealer;
    private JournalReader reader;
    private long lastRead;
    private volatile ShipLink link;
    private volatile long backoffNanos = MIN_BACKOFF_NANOS;
    private String lastLoggedFailure;
    private final InFlight inFlight = new InFlight();
    private final LagMeter lag = new LagMeter(System.nanoTime());
    private TokenBucket bucket;
    private boolean flushing;
    private long flushTarget;
    private long lastFlushNanos;
    private long knownSyncStart;
    private boolean resyncNeeded;
    private long degradeCatchUpTarget = -1;

    public GroupShipper(ConsistencyGroup group, GroupDescriptor desc, DataKey key, Peer peer, Connector connector,
                        ShipSettings settings, MeterRegistry registry) {
        this.group = group;
        this.desc = desc;
        this.key = key;
        this.peer = peer;
        this.connector = connector;
        this.settings = settings;
        this.consumerName = consumerName(peer);
        this.windowBytes = Math.max(MIN_WINDOW_BYTES, 4L * settings.batchBytes());
        // under a bandwidth limit, batches of ~100 ms of it keep the pace even
        this.batchBytes = settings.bandwidthLimit() > 0
                ? (int) Math.min(settings.batchBytes(), Math.max(16 * 1024, settings.bandwidthLimit() / 10))
                : settings.batchBytes();
        this.batchDelayNanos = settings.batchDelay().toNanos();
        this.gate = settings.sync() ? new SyncGate(0) : null;
        this.metrics = new ShipMetrics(registry, desc.name());
        metrics.gauge("tidemark.replication.lag", "Age of the oldest record not yet durable at the DR peer (RPO)",
                "seconds", lag::lagSeconds);
        metrics.gauge("tidemark.replication.lag.bytes", "Journal bytes not yet durable at the DR peer", "bytes",
                lag::lagBytes);
        metrics.gauge("tidemark.replication.compression.ratio", "Plain payload bytes / sealed payload bytes shipped",
                null, this::compressionRatio);
        metrics.gauge("tidemark.replication.sync.progress.ratio",
                "Full sync progress, 0..1 (1 once the DR holds a full copy)", null, this::syncProgress);
        metrics.gauge("tidemark.replication.acked.sequence", "Highest sequence the DR peer holds durably", null,
                acked::get);
        this.thread = new Thread(this::run, "tidemark-ship-" + desc.name());
        thread.setDaemon(true);
    }

    /** The journal consumer name under which a shipper to {@code peer} holds retention: {@code peer:NAME}. */
    public static String consumerName(Peer peer) {
        return "peer:" + peer.name();
    }

    /** Registers the journal consumer, installs the sync gate (sync mode), and starts shipping. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        consumer = group.registerConsumer(consumerName, group.appendedSequence());
        acked.set(consumer.acknowledged());
        if (gate != null) {
            gate.acknowledge(consumer.acknowledged());
            group.setPeerGate(gate);
            long every = Math.max(10, settings.syncTimeout().toMillis() / 20);
            watchdogTask = WATCHDOG.scheduleWithFixedDelay(this::watchdog, every, every, TimeUnit.MILLISECONDS);
        }
        LOG.info("group {}: shipping to peer {} ({} mode, compression {}, bandwidth limit {})", desc.name(), peer.name(),
                settings.mode(), settings.compression(),
                settings.bandwidthLimit() == 0 ? "none" : settings.bandwidthLimit() + " B/s");
        thread.start();
    }

    public ShipStatus status() {
        InitialSync s = sync;
        long total = s != null ? s.totalBytes() : syncEverCompleted || state == State.PROTECTED ? desc.totalBytes() : 0;
        long done = s != null ? s.doneBytes() : total;
        double eta = s == null || s.complete(acked.get()) ? 0 : s.etaSeconds(System.nanoTime());
        return new ShipStatus(state.name(), shipped, acked.get(), group.appendedSequence(), lag.lagSeconds(),
                lag.lagBytes(), done, total, eta, compressionRatio(), lag.bytesPerSecond(), lastError);
    }

    /** "async", "sync", or "sync-degraded" while sync mode fell back to async. */
    public String effectiveMode() {
        return gate == null ? ShipSettings.ASYNC : gate.degraded() ? "sync-degraded" : ShipSettings.SYNC;
    }

    public GroupDescriptor descriptor() {
        return desc;
    }

    public Peer peer() {
        return peer;
    }

    /** Stops shipping (the journal consumer stays registered: retention keeps what the DR lacks). */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        signal();
        // unblock a connection attempt waiting for RESUME
        ShipLink l = connecting;
        if (l != null) {
            l.resume.cancel(false);
        }
        if (started) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (watchdogTask != null) {
            watchdogTask.cancel(false);
        }
        if (gate != null) {
            if (group.peerGate() == gate) {
                group.setPeerGate(null);
            }
            gate.releaseAll();
        }
        metrics.close();
        state = State.STOPPED;
        LOG.info("group {}: shipping to peer {} stopped at seq {} (acked {})", desc.name(), peer.name(), shipped,
                acked.get());
    }

    /** Acks and wake-ups from the link's thread. */
    private final ShipLink.Events events = new ShipLink.Events() {
        @Override
        public void acknowledged(ShipLink from, long durable) {
            if (link != from || durable <= acked.get()) {
                return; // an old connection, or nothing new
            }
            acked.accumulateAndGet(durable, Math::max);
            consumer.acknowledge(durable);
            if (gate != null) {
                gate.acknowledge(durable);
            }
            backoffNanos = MIN_BACKOFF_NANOS;
            signal();
        }

        @Override
        public void changed() {
            signal();
        }
    };

    // ---------------------------------------------------------------- ship thread

    private void run() {
        sealer = new RecordSealer(key, settings.compression());
        bucket = new TokenBucket(settings.bandwidthLimit(), System.nanoTime());
        try {
            while (!closing) {
                if (link == null || link.closed) {
                    if (link != null) {
                        disconnected();
                    }
                    if (!connect()) {
                        updateLag(System.nanoTime());
                        pause(backoffNanos);
                        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
                        continue;
                    }
                }
                boolean busy;
                try {
                    busy = step();
                } catch (IOException | RuntimeException e) {
                    interrupted(e);
                    continue;
                }
                if (!busy) {
                    pause(IDLE_WAIT_NANOS);
                }
            }
        } catch (Throwable t) {
            lastError = t.toString();
            state = State.STOPPED;
            LOG.error("group {}: shipper to peer {} failed and stopped", desc.name(), peer.name(), t);
        } finally {
            if (link != null && link.session != null) {
                link.session.close();
            }
            if (reader != null) {
                reader.close();
            }
        }
    }

    /** One round of work while connected; true if something moved. */
    private boolean step() throws IOException {
        long now = System.nanoTime();
        boolean busy = false;
        if (resyncNeeded) {
            resyncNeeded = false;
            startFullSync(true);
            busy = true;
        }
        InitialSync s = sync;
        if (s != null) {
            busy |= s.pump(group);
            if (s.failure() != null) {
                lastError = "full sync: " + s.failure();
                LOG.warn("group {}: full sync failed ({}); restarting it", desc.name(), s.failure().toString());
                resyncNeeded = true;
            }
        }
        applyAcks();
        maybeFlush(now);
        busy |= shipBatch();
        checkGate(now);
        updateLag(now);
        return busy;
    }

    /** Shipping hit a problem it may recover from (journal, full sync start): drop the link, back off, resume. */
    private void interrupted(Exception e) {
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        lastError = reason;
        LOG.warn("group {}: shipping to peer {} interrupted at seq {}: {}; reconnecting", desc.name(), peer.name(),
                lastRead, reason);
        ShipLink l = link;
        if (l != null) {
            l.close();
        }
        pause(backoffNanos);
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
    }

    /** Sync mode: releases held commands when the DR has not acknowledged for the sync timeout (any thread). */
    private void watchdog() {
        if (gate == null || gate.degraded() || closing) {
            return;
        }
        long waited = gate.oldestWaitNanos(System.nanoTime());
        if (waited > settings.syncTimeout().toNanos()) {
            LOG.warn("group {}: no ack from peer {} for {} ms (waiting for seq {}); sync mode degraded to async",
                    desc.name(), peer.name(), TimeUnit.NANOSECONDS.toMillis(waited), gate.oldestWaiting());
            metrics.degraded.increment();
            gate.degrade();
            signal();
        }
    }

    private boolean connect() {
        ShipLink l = new ShipLink(desc.name(), desc.groupId(), peer.name(), events);
        try {
            CompletableFuture<LinkSession> f = connector.connect(peer, l);
            connecting = l;
            LinkSession session = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONNECT_TIMEOUT_S);
            // wait in slices so that close() does not wait for a slow dial
            while (session == null) {
                try {
                    session = f.get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (closing || System.nanoTime() > deadline) {
                        f.thenAccept(LinkSession::close); // a session completing after we gave up must not linger
                        throw e;
                    }
                }
            }
            l.session = session;
            if (closing) {
                throw new IOException("shipper closing");
            }
            session.send(ReplicationFrames.PROTECT, ReplicationFrames.json(
                    ProtectMessage.of(desc, key.bytes(), settings.mode())));
            ResumeMessage resume = l.resume.get(RESUME_TIMEOUT_S, TimeUnit.SECONDS);
            if (resume.epoch() > group.epoch()) {
                throw new IOException("peer holds epoch " + resume.epoch() + " of group " + desc.name()
                        + " (ours: " + group.epoch() + "): another primary took over");
            }
            link = l;
            positionAfter(resume);
            lastLoggedFailure = null;
            LOG.info("group {}: connected to peer {}, resumed at seq {} (peer durable {}){}", desc.name(), peer.name(),
                    lastRead + 1, resume.durable(), state == State.SYNCING ? ", full sync running" : "");
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
            if (l.session != null) {
                l.session.close();
            }
            return false;
        } catch (Exception e) {
            if (closing) {
                if (l.session != null) {
                    l.session.close();
                }
                return false;
            }
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            String reason = cause instanceof TimeoutException ? "no answer within the timeout"
                    : cause.getMessage() == null ? cause.toString() : cause.getMessage();
            if (l.error() != null) {
                reason = l.error();
            }
            lastError = reason;
            if (l.session != null) {
                l.session.close();
            }
            if (link == l) {
                link = null;
            }
            if (!reason.equals(lastLoggedFailure)) {
                LOG.info("group {}: cannot connect to peer {}: {}; retrying with backoff up to {} s", desc.name(),
                        peer.name(), reason, TimeUnit.NANOSECONDS.toSeconds(MAX_BACKOFF_NANOS));
                lastLoggedFailure = reason;
            }
            if (state != State.CONNECTING) {
                state = State.DISCONNECTED;
            }
            return false;
        }
    }

    /** Places the reader right after what the DR holds, or starts a full sync when that is impossible. */
    private void positionAfter(ResumeMessage resume) throws IOException {
        long durable = resume.durable();
        long appended = group.appendedSequence();
        if (durable > appended) {
            throw new IOException("peer holds seq " + durable + " of group " + desc.name()
                    + ", beyond this journal's last seq " + appended);
        }
        acked.set(durable);
        consumer.acknowledge(durable);
        if (gate != null) {
            gate.acknowledge(durable);
        }
        inFlight.clear();
        boolean trusted = durable > 0 && (resume.syncComplete() || knownSyncStart > 0 && durable >= knownSyncStart - 1);
        if (trusted && seek(durable)) {
            syncEverCompleted |= resume.syncComplete();
            state = sync != null && !sync.complete(durable) ? State.SYNCING : State.PROTECTED;
            return;
        }
        if (knownSyncStart > 0 && knownSyncStart > durable && seek(knownSyncStart - 1)) {
            // the DR lacks our own sync-start: it accepts it after a gap
            state = State.SYNCING;
            return;
        }
        if (trusted) {
            LOG.warn("group {}: the journal no longer holds seq {} that peer {} needs; full resync", desc.name(),
                    durable + 1, peer.name());
        }
        startFullSync(trusted);
    }

    private boolean seek(long after) {
        if (reader == null) {
            reader = group.newReader();
        }
        if (!reader.seekAfter(after)) {
            return false;
        }
        lastRead = after;
        lag.rewind(after);
        return true;
    }

    /** Appends sync-start and positions the reader on it; chunks follow from {@link #step()}. */
    private void startFullSync(boolean resync) throws IOException {
        if (resync) {
            state = State.RESYNC_REQUIRED;
        }
        InitialSync previous = sync;
        if (previous != null) {
            previous.cancel();
        }
        long start;
        try {
            start = group.appendMetadata(Metadata.syncStart(desc.totalBytes()).toBytes()).get(RESUME_TIMEOUT_S,
                    TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("group " + desc.name() + ": interrupted starting a full sync", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("group " + desc.name() + ": cannot journal the sync-start marker: " + e, e);
        }
        knownSyncStart = start;
        sync = new InitialSync(desc, start, System.nanoTime());
        inFlight.clear();
        if (reader != null) {
            reader.close();
            reader = null;
        }
        if (!seek(start - 1)) {
            throw new IOException("group " + desc.name() + ": sync-start marker at seq " + start + " not in the journal");
        }
        // nothing before the marker is needed any more: let retention trim it
        consumer.acknowledge(start - 1);
        state = State.SYNCING;
        LOG.info("group {}: {} of {} bytes to peer {} started at seq {}", desc.name(), resync ? "full resync" : "initial sync",
                desc.totalBytes(), peer.name(), start);
    }

    private void disconnected() {
        ShipLink l = link;
        link = null;
        inFlight.clear();
        String reason = l.closeReason();
        lastError = reason;
        state = State.DISCONNECTED;
        LOG.info("group {}: disconnected from peer {}: {} (shipped {}, acked {})", desc.name(), peer.name(), reason,
                shipped, acked.get());
        // resume re-reads from the DR's durable sequence
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    private void applyAcks() {
        long a = acked.get();
        inFlight.acknowledge(a);
        InitialSync s = sync;
        if (s != null) {
            s.acknowledged(a);
            if (state == State.SYNCING && s.complete(a)) {
                state = State.PROTECTED;
                syncEverCompleted = true;
                LOG.info("group {}: full sync to peer {} complete ({} bytes), protected at seq {}", desc.name(),
                        peer.name(), s.totalBytes(), a);
            }
        }
    }

    private void maybeFlush(long now) {
        long durable = group.durableSequence();
        // in sync mode a flush future also waits for the DR's ack: durability alone ends our wait
        if (flushing && durable >= flushTarget) {
            flushing = false;
        }
        long appended = group.appendedSequence();
        if (flushing || appended <= durable) {
            return;
        }
        if (gate == null && now - lastFlushNanos < batchDelayNanos) {
            return;
        }
        flushing = true;
        flushTarget = appended;
        lastFlushNanos = now;
        group.flush().whenComplete((d, e) -> signal());
    }

    /** Reads, seals and sends one batch of durable records; true if it sent one. */
    private boolean shipBatch() throws IOException {
        ShipLink l = link;
        if (l == null || l.closed || !l.session.writable() || inFlight.wireBytes() >= windowBytes) {
            return false;
        }
        long durable = group.durableSequence();
        if (lastRead >= durable) {
            return false;
        }
        ByteBuf batch = ReplicationFrames.allocator().heapBuffer(Math.min(batchBytes, 64 * 1024));
        long first = -1;
        long firstTimestamp = -1;
        long journalBytes = 0;
        int records = 0;
        try {
            while (lastRead < durable && batch.readableBytes() < batchBytes
                    && inFlight.wireBytes() + batch.readableBytes() < windowBytes) {
                JournalReader.Step step = reader.next();
                if (step == JournalReader.Step.END) {
                    break;
                }
                if (step == JournalReader.Step.INVALID) {
                    throw new IOException("group " + desc.name() + ": journal record after seq " + lastRead
                            + " is invalid: " + reader.problem());
                }
                JournalRecord r = reader.record();
                if (r.sequence() != lastRead + 1) {
                    LOG.warn("group {}: journal jumps from seq {} to {} (trimmed before peer {} acknowledged it);"
                            + " full resync", desc.name(), lastRead, r.sequence(), peer.name());
                    resyncNeeded = true;
                    break;
                }
                batch.ensureWritable(RecordSealer.maxRecordLength(r.payloadLength()));
                SealedRecord sealed = sealer.seal(r, batch.nioBuffer(batch.writerIndex(), batch.writableBytes()));
                batch.writerIndex(batch.writerIndex() + sealed.length());
                if (first < 0) {
                    first = r.sequence();
                    firstTimestamp = r.timestampMicros();
                }
                journalBytes += r.recordLength();
                plainPayloadBytes += sealed.plainLength();
                sealedPayloadBytes += sealed.sealedLength() - SealedRecordDescriptor.TAG_LENGTH;
                lastRead = r.sequence();
                records++;
            }
            if (records == 0) {
                return false;
            }
            long wire = batch.readableBytes();
            long wait = bucket.take(wire, System.nanoTime());
            if (wait > 0) {
                long until = System.nanoTime() + wait;
                for (long left = wait; left > 0 && !closing; left = until - System.nanoTime()) {
                    pause(left);
                }
                if (closing || l.closed) {
                    return false;
                }
            }
            send(l.session, batch.retain());
            inFlight.add(lastRead, wire, journalBytes);
            shipped = lastRead;
            metrics.shippedBytes.increment(wire);
            metrics.shippedRecords.increment(records);
            lag.shipped(first, lastRead, firstTimestamp, records, journalBytes, wire);
            return true;
        } finally {
            batch.release();
        }
    }

    /** Sends a batch, split into BATCH_MORE parts and a final BATCH when it exceeds one frame. Takes ownership. */
    private static void send(LinkSession session, ByteBuf batch) {
        try {
            while (batch.readableBytes() > ReplicationFrames.MAX_PART) {
                session.send(ReplicationFrames.BATCH_MORE, batch.readRetainedSlice(ReplicationFrames.MAX_PART));
            }
            session.send(ReplicationFrames.BATCH, batch.readRetainedSlice(batch.readableBytes()));
        } finally {
            batch.release();
        }
    }

    private void checkGate(long now) {
        if (gate == null) {
            return;
        }
        if (!gate.degraded()) {
            degradeCatchUpTarget = -1;
            return;
        }
        ShipLink l = link;
        if (l == null || l.closed) {
            degradeCatchUpTarget = -1;
            return;
        }
        if (degradeCatchUpTarget < 0) {
            degradeCatchUpTarget = group.appendedSequence();
        } else if (acked.get() >= degradeCatchUpTarget) {
            gate.restore();
            LOG.info("group {}: peer {} caught up to seq {}; sync mode restored", desc.name(), peer.name(),
                    degradeCatchUpTarget);
            degradeCatchUpTarget = -1;
        }
    }

    private void updateLag(long now) {
        lag.update(now, System.currentTimeMillis() * 1000, group.appendedSequence(), acked.get(), lastRead,
                inFlight.journalBytes());
    }

    private double compressionRatio() {
        long sealedBytes = sealedPayloadBytes;
        return sealedBytes == 0 ? 1.0 : (double) plainPayloadBytes / sealedBytes;
    }

    private double syncProgress() {
        InitialSync s = sync;
        if (s == null) {
            return syncEverCompleted || state == State.PROTECTED ? 1.0 : 0.0;
        }
        if (s.totalBytes() == 0) {
            return 1.0;
        }
        return Math.min(1.0, (double) s.doneBytes() / s.totalBytes());
    }

    private void pause(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (!signalled && !closing && left > 0) {
                left = wake.awaitNanos(left);
            }
            signalled = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            signalled = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
