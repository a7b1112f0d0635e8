package io.tidemark.journal;

import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.StampedLock;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write order of one or more volumes: a multi-producer Disruptor ring whose sequence
 * (offset by the journal's last sequence, under the group's epoch) is the group's write order,
 * feeding two stages in turn: {@link JournalAppender} (Chronicle Queue, group commit per
 * batch) and {@link StoreApplier} (pwrite to the store). Commands are answered by
 * {@link Completion} after the apply, or, when one is alone in its batch (queue depth 1), by
 * the appender once journaled; FUA and write-through writes after the journal's fdatasync on
 * the {@link JournalSync} force thread, and with a {@link PeerGate} after the peer's
 * acknowledgement. Every write, UNMAP, WRITE SAME and COMPARE AND WRITE takes one slot and one
 * sequence. Futures complete on ring or force threads: callbacks must not block.
 *
 * <p>Reads see every write submitted before them, from any session: a read waits until the
 * store has applied every in-flight write that may overlap it ({@link InFlightExtents}), then
 * reads the store. Writes therefore never need a copy in an index.
 *
 * <p>Lifecycle: {@link #open} recovers (replays the journal past the stores' checkpoint), then
 * serves; a maintenance thread checkpoints the stores every {@code checkpointInterval} and
 * trims the journal ({@link JournalRetention}); {@link #close} drains the ring, syncs the
 * journal, flushes the stores and checkpoints. Thread-safe.
 *
 * <p>Buffers passed to the write methods must stay unchanged until their future completes:
 * the ring carries them to the journal and the store without copying.
 */
public final class ConsistencyGroup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsistencyGroup.class);
    /** Largest payload of {@link #appendMetadata}. */
    public static final int MAX_METADATA_LENGTH = 64 * 1024;

    private static final long READ_WAIT_TIMEOUT_S = 60;

    private final GroupConfig config;
    private final long epoch;
    private final VolumeSlot[] volumes;
    private final SingleChronicleQueue queue;
    private final JournalMetrics metrics;
    private final CycleFileForcer forcer;
    private final JournalSync sync;
    private final AppliedSequence applied;
    private final GroupHealth health;
    private final JournalRetention retention;
    private final Disruptor<WriteEvent> disruptor;
    private final RingBuffer<WriteEvent> ring;
    private final List<Thread> ringThreads = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService maintenance;
    private final ConsumerRegistry consumers;
    private volatile PeerGate peerGate;
    /** Producers hold it shared while claiming and publishing; close takes it exclusively. */
    private final StampedLock gate = new StampedLock();
    /** Journal sequence = base + ring sequence + 1: the ring restarts at 0, the journal does not. */
    private final long base;
    private final Object checkpointLock = new Object();
    private volatile Checkpoint checkpoint;
    private volatile boolean closed;

    private ConsistencyGroup(GroupConfig config, List<GroupVolume> members, MeterRegistry registry, SyncHook hook)
            throws IOException {
        this.config = config;
        Files.createDirectories(config.directory());
        volumes = new VolumeSlot[members.size()];
        for (int i = 0; i < members.size(); i++) {
            volumes[i] = new VolumeSlot(i, members.get(i));
        }
        health = new GroupHealth(config.name());
        metrics = new JournalMetrics(registry, config.name(), members);
        queue = JournalQueues.open(config.directory(), config.rollPeriod(), config.clock());
        try {
            Checkpoint stored = Checkpoint.load(config.directory());
            JournalReplay.Result recovered;
            try (JournalReader reader = new JournalReader(queue)) {
                recovered = JournalReplay.run(config.name(), reader, stored, volumes, metrics);
            }
            TornTailRepair.repair(config.name(), queue, recovered.tail());
            epoch = Math.max(config.epoch(), recovered.lastEpoch());
            base = recovered.lastSequence();
            // records read back after a crash may sit only in the page cache: make them durable first
            forceAllCycleFiles(config.directory());
            for (VolumeSlot v : volumes) {
                v.store.flush();
            }
            checkpoint = new Checkpoint(epoch, base, recovered.lastIndex());
            checkpoint.store(config.directory());
            LOG.info("group {}: journal {} opened at seq {} epoch {} ({} records replayed, {} torn or corrupt cut off)",
                    config.name(), config.directory(), base, epoch, recovered.replayed(), recovered.invalid());
            consumers = ConsumerRegistry.load(config.directory());
            applied = new AppliedSequence(base);
            applied.advance(base, recovered.lastIndex());
            forcer = new CycleFileForcer(config.directory());
            sync = new JournalSync(config.name(), forcer, config.syncInterval(), hook, metrics, base);
            retention = new JournalRetention(config.name(), queue, config.directory(), config.retention(),
                    config.sizeCap(), config.clock(), metrics);
            retention.measure();
            disruptor = new Disruptor<>(WriteEvent::new, config.ringSize(), this::newRingThread, ProducerType.MULTI,
                    config.waitStrategy().create());
            Completion completion = new Completion(sync, () -> peerGate);
            JournalAppender appender = new JournalAppender(queue, volumes, config.groupId(), epoch, config.clock(), sync,
                    applied, health, metrics, forcer, completion);
            disruptor.handleEventsWith(appender)
                    .then(new StoreApplier(volumes, applied, health, completion));
            disruptor.setDefaultExceptionHandler(new StageFailure());
            ring = disruptor.getRingBuffer();
            registerGauges();
            sync.start();
            disruptor.start();
            maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tidemark-journal-maintenance-" + config.name());
                t.setDaemon(true);
                return t;
            });
            long every = config.checkpointInterval().toMillis();
            maintenance.scheduleWithFixedDelay(this::maintain, every, every, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            queue.close();
            metrics.close();
            throw e;
        }
    }

    /**
     * Opens the group's journal in {@code config.directory()}, replays its tail into the stores
     * of {@code volumes}, and starts serving. The stores stay the caller's to close (after the group).
     */
    public static ConsistencyGroup open(GroupConfig config, List<GroupVolume> volumes, MeterRegistry registry)
            throws IOException {
        return open(config, volumes, registry, SyncHook.NONE);
    }

    /** As {@link #open(GroupConfig, List, MeterRegistry)}, with a hook around each journal fdatasync. */
    public static ConsistencyGroup open(GroupConfig config, List<GroupVolume> volumes, MeterRegistry registry,
                                        SyncHook hook) throws IOException {
        if (volumes.isEmpty()) {
            throw new IllegalArgumentException("group " + config.name() + ": no volumes (expected: at least one)");
        }
        return new ConsistencyGroup(config, List.copyOf(volumes), registry, hook);
    }

    public String name() {
        return config.name();
    }

    public long epoch() {
        return epoch;
    }

    /** Writes {@code src} at {@code lba}; completes with the write's sequence (after the journal sync with {@code fua}). */
    public CompletableFuture<Long> write(int volumeId, long lba, ByteBuffer src, boolean fua) {
        VolumeSlot v = volume(volumeId);
        long blocks = blocksOf(v, src, "write");
        return submit(v, v.id, RecordType.WRITE, lba, blocks, src, null, fua, false);
    }

    /** Deallocates {@code blocks} blocks from {@code lba}; completes with its sequence. */
    public CompletableFuture<Long> unmap(int volumeId, long lba, long blocks) {
        VolumeSlot v = volume(volumeId);
        return submit(v, v.id, RecordType.UNMAP, lba, blocks, null, null, false, false);
    }

    /** Writes the one block {@code block} to each of {@code blocks} blocks from {@code lba}. */
    public CompletableFuture<Long> writeSame(int volumeId, long lba, long blocks, ByteBuffer block) {
        VolumeSlot v = volume(volumeId);
        if (block.remaining() != v.store.blockSize()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("WRITE SAME block length: "
                    + block.remaining() + " (expected: " + v.store.blockSize() + ")"));
        }
        return submit(v, v.id, RecordType.WRITE_SAME, lba, blocks, block, null, false, false);
    }

    /**
     * Compares the blocks at {@code lba} with {@code compare} at this command's place in the
     * write order and writes {@code data} if equal; completes with -1 when written, else the
     * byte offset of the first difference (nothing written).
     */
    public CompletableFuture<Long> compareAndWrite(int volumeId, long lba, ByteBuffer compare, ByteBuffer data) {
        VolumeSlot v = volume(volumeId);
        if (compare.remaining() != data.remaining()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("COMPARE AND WRITE data length: "
                    + data.remaining() + " (expected: " + compare.remaining() + ", the compare length)"));
        }
        long blocks = blocksOf(v, data, "COMPARE AND WRITE");
        return submit(v, v.id, RecordType.COMPARE_AND_WRITE, lba, blocks, data, compare, false, false);
    }

    /**
     * Makes every write submitted before this call durable (SYNCHRONIZE CACHE); completes with the
     * durable sequence (with a {@link PeerGate}: once the peer acknowledged it, too).
     */
    public CompletableFuture<Long> flush() {
        if (health.failed()) {
            return CompletableFuture.failedFuture(health.failure());
        }
        long target = base + ring.getCursor() + 1;
        CompletableFuture<Long> durable = sync.whenDurable(target);
        PeerGate gate = peerGate;
        if (gate == null || target <= base) {
            return durable;
        }
        CompletableFuture<Void> acknowledged;
        try {
            acknowledged = gate.whenAcknowledged(target);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return durable.thenCombine(acknowledged, (d, ignored) -> d);
    }

    /**
     * Takes one slot and, at its place in the order (once the store holds every record before
     * it), journals the current content of {@code blocks} blocks from {@code lba} as a
     * {@link RecordType#SNAPSHOT} record (all zero: {@link JournalRecordDescriptor#FLAG_ZERO}, no
     * payload) for the replication shipper's initial sync. Changes nothing in the store.
     * Completes with its sequence once journaled (not necessarily durable).
     */
    public CompletableFuture<Long> syncChunk(int volumeId, long lba, long blocks) {
        VolumeSlot v = volume(volumeId);
        long maxBlocks = JournalRecordDescriptor.MAX_PAYLOAD_LENGTH / v.store.blockSize();
        if (blocks < 1 || blocks > maxBlocks) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("sync chunk of volume " + v.name + ": "
                    + blocks + " blocks (expected: 1.." + maxBlocks + ")"));
        }
        return submit(v, v.id, RecordType.SNAPSHOT, lba, blocks, null, null, false, false);
    }

    /**
     * Journals {@code payload} as a {@link RecordType#METADATA} record (volume 0, LBA 0, no
     * blocks) in one slot of the write order; completes with its sequence once it is durable.
     * Applied to no store.
     */
    public CompletableFuture<Long> appendMetadata(byte[] payload) {
        if (payload.length > MAX_METADATA_LENGTH) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("metadata payload of group "
                    + config.name() + ": " + payload.length + " bytes (expected: 0.." + MAX_METADATA_LENGTH + ")"));
        }
        ByteBuffer copy = ByteBuffer.wrap(payload.clone());
        return submit(null, 0, RecordType.METADATA, 0, 0, copy, null, false, true);
    }

    /**
     * Installs {@code gate} (null clears it): from now on commands and flushes complete only once
     * it acknowledged their sequence too (sync replication). See {@link PeerGate}.
     */
    public void setPeerGate(PeerGate gate) {
        peerGate = gate;
        LOG.info("group {}: peer gate {} at seq {}", config.name(), gate == null ? "cleared" : "set", appendedSequence());
    }

    /** The gate installed by {@link #setPeerGate}, or null. */
    public PeerGate peerGate() {
        return peerGate;
    }

    /** Fills {@code dst} from {@code lba}, after every overlapping write submitted before this call is applied. */
    public void read(int volumeId, long lba, ByteBuffer dst) throws IOException {
        VolumeSlot v = volume(volumeId);
        long blocks = blocksOf(v, dst, "read");
        long pending = v.inFlight.highestPending(lba, blocks);
        if (pending > applied.get()) {
            try {
                if (!applied.await(pending, READ_WAIT_TIMEOUT_S, TimeUnit.SECONDS, health::failed)) {
                    throw new IOException("read of volume " + v.name + " at " + lba, health.failure());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("read of volume " + v.name + " at " + lba + " interrupted", e);
            } catch (TimeoutException e) {
                throw new IOException("read of volume " + v.name + " at " + lba + ": " + e.getMessage(), e);
            }
        }
        v.store.read(lba, dst);
    }

    /**
     * Registers a consumer that needs every record after {@code acknowledged}; retention keeps
     * them until it acknowledges. Registering an existing name (also one persisted before a
     * restart) returns its position unchanged. A new consumer is persisted in the journal
     * directory before this returns; acknowledgements are persisted at each checkpoint.
     *
     * @throws java.io.UncheckedIOException when the consumers file cannot be written
     */
    public ConsumerPosition registerConsumer(String name, long acknowledged) {
        try {
            return consumers.register(name, acknowledged);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("registering consumer " + name + " of group " + config.name(), e);
        }
    }

    /**
     * Forgets consumer {@code name} durably: retention no longer keeps records for it.
     *
     * @throws java.io.UncheckedIOException when the consumers file cannot be written
     */
    public void unregisterConsumer(String name) {
        try {
            if (consumers.unregister(name)) {
                LOG.info("group {}: journal consumer {} unregistered", config.name(), name);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("unregistering consumer " + name + " of group " + config.name(), e);
        }
    }

    /** Every registered consumer (those loaded at open included), by name. */
    public List<ConsumerPosition> consumers() {
        return consumers.list();
    }

    /** A reader over this group's journal (close it when done; use it on one thread). */
    public JournalReader newReader() {
        return new JournalReader(queue, sync::appended);
    }

    /** Highest sequence appended to the journal. */
    public long appendedSequence() {
        return sync.appended();
    }

    /** Highest sequence known durable in the journal. */
    public long durableSequence() {
        return sync.durable();
    }

    /** Highest sequence applied to the stores. */
    public long appliedSequence() {
        return applied.get();
    }

    /** The last checkpoint: the stores durably hold every record up to its sequence. */
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /** Journal bytes on disk, as of the last maintenance run. */
    public long journalBytes() {
        return retention.diskBytes();
    }

    /** Events in the ring not yet completed. */
    public long ringOccupancy() {
        return ring.getBufferSize() - ring.remainingCapacity();
    }

    /** True once a journal or store failure stopped the group taking writes. */
    public boolean failed() {
        return health.failed() || sync.failed();
    }

    /**
     * Flushes the stores and persists the applied sequence (after making the journal durable
     * up to it, so the stores never get ahead of the durable journal), then trims the journal.
     */
    public void checkpointNow() throws IOException {
        synchronized (checkpointLock) {
            awaitApplied(sync.appended());
            long index = applied.index(); // read before the sequence: never past it
            long sequence = applied.get();
            if (sequence > checkpoint.sequence()) {
                try {
                    sync.whenDurable(sequence).get(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("checkpoint of group " + config.name() + " interrupted", e);
                } catch (Exception e) {
                    throw new IOException("checkpoint of group " + config.name() + ": journal not durable up to "
                            + sequence, e);
                }
                for (VolumeSlot v : volumes) {
                    v.store.flush();
                }
                Checkpoint next = new Checkpoint(epoch, sequence, index);
                next.store(config.directory());
                checkpoint = next;
            }
            consumers.persistIfChanged();
            retention.run(checkpoint.sequence(), consumers.list());
        }
    }

    /** Waits (briefly: the applier runs right behind the appender) until the stores hold {@code sequence}. */
    private void awaitApplied(long sequence) throws IOException {
        String what = "group " + config.name() + ": stores applying up to seq " + sequence;
        try {
            if (!applied.await(sequence, READ_WAIT_TIMEOUT_S, TimeUnit.SECONDS, health::failed)) {
                throw new IOException(what + " failed", health.failure());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", e);
        } catch (TimeoutException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
    }

    private void maintain() {
        if (closed || failed()) {
            return;
        }
        try {
            checkpointNow();
        } catch (IOException | RuntimeException e) {
            LOG.warn("group {}: checkpoint or trim failed, retrying in {}: {}", config.name(),
                    config.checkpointInterval(), e.toString());
        }
    }

    /** Drains the ring, syncs the journal, flushes the stores, checkpoints, and closes the journal. */
    @Override
    public void close() throws IOException {
        if (!shutDownProducers()) {
            return;
        }
        try {
            // commands may be answered before the applier (even its thread) ran: Disruptor's
            // drain does not count a stage whose thread has not started, so wait for the stores here
            if (!failed()) {
                awaitApplied(base + ring.getCursor() + 1);
            }
        } catch (IOException e) {
            LOG.warn("group {}: stores did not catch up before close: {}", config.name(), e.getMessage());
        }
        try {
            disruptor.shutdown(60, TimeUnit.SECONDS);
        } catch (com.lmax.disruptor.TimeoutException e) {
            LOG.error("group {}: ring did not drain within 60 s; halting", config.name());
            disruptor.halt();
        }
        joinRingThreads();
        sync.close();
        maintenance.shutdown();
        try {
            maintenance.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (!failed()) {
                checkpointNow();
            }
        } finally {
            release();
        }
        LOG.info("group {}: journal closed at seq {}", config.name(), checkpoint.sequence());
    }

    /**
     * Stops every thread without draining, syncing or checkpointing, as a crash would (in-process
     * crash tests: reopen the same directory afterwards). Futures still in the ring never complete.
     */
    public void abandon() {
        if (!shutDownProducers()) {
            return;
        }
        disruptor.halt();
        joinRingThreads();
        sync.abandon();
        maintenance.shutdown();
        try {
            maintenance.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        release();
    }

    private boolean shutDownProducers() {
        if (closed) {
            return false;
        }
        gate.writeLock(); // held for good: no producer gets in after close
        closed = true;
        return true;
    }

    private void release() {
        try {
            forcer.close();
        } catch (IOException e) {
            LOG.warn("group {}: closing the journal files: {}", config.name(), e.toString());
        }
        queue.close();
        metrics.close();
    }

    /** Puts one command in the ring; {@code v} is null for a METADATA record (no volume). */
    private CompletableFuture<Long> submit(VolumeSlot v, int volumeId, RecordType type, long lba, long blocks,
                                           ByteBuffer payload, ByteBuffer compare, boolean fua, boolean durable) {
        if (v != null) {
            long count = v.store.blockCount();
            if (lba < 0 || blocks < 0 || lba > count || blocks > count - lba) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(type + " of volume " + v.name
                        + ": blocks " + lba + "+" + blocks + " (expected: within 0.." + count + ")"));
            }
        }
        long stamp = gate.tryReadLock();
        if (stamp == 0) {
            return CompletableFuture.failedFuture(new IOException("group " + config.name() + " is closed"));
        }
        try {
            if (health.failed()) {
                return CompletableFuture.failedFuture(health.failure());
            }
            CompletableFuture<Long> completion = new CompletableFuture<>();
            long slot = ring.next();
            try {
                WriteEvent event = ring.get(slot);
                long sequence = base + slot + 1;
                if (type.changesBlocks()) {
                    v.inFlight.register(lba, blocks, sequence);
                }
                event.type = type;
                event.volumeId = volumeId;
                event.lba = lba;
                event.blockCount = blocks;
                event.payload = payload;
                event.compare = compare;
                event.fua = fua;
                event.durable = durable || fua || config.durability() == DurabilityMode.WRITE_THROUGH;
                event.sequence = sequence;
                event.completion = completion;
                event.journalIndex = -1;
                event.mismatchOffset = -1;
                event.failure = null;
            } finally {
                ring.publish(slot);
            }
            return completion;
        } finally {
            gate.unlockRead(stamp);
        }
    }

    private VolumeSlot volume(int volumeId) {
        VolumeSlot v = VolumeSlot.find(volumes, volumeId);
        if (v == null) {
            throw new IllegalArgumentException("volume id " + volumeId + " is not in group " + config.name());
        }
        return v;
    }

    private static long blocksOf(VolumeSlot v, ByteBuffer buffer, String what) {
        int bytes = buffer.remaining();
        int blockSize = v.store.blockSize();
        if (bytes % blockSize != 0 || bytes > JournalRecordDescriptor.MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException(what + " length for volume " + v.name + ": " + bytes
                    + " (expected: a multiple of " + blockSize + " up to " + JournalRecordDescriptor.MAX_PAYLOAD_LENGTH + ")");
        }
        return bytes / blockSize;
    }

    private Thread newRingThread(Runnable r) {
        String[] stages = {"append", "apply"};
        Thread t = new Thread(r, "tidemark-journal-" + stages[Math.min(ringThreads.size(), 1)] + "-" + config.name());
        t.setDaemon(true);
        ringThreads.add(t);
        return t;
    }

    private void joinRingThreads() {
        for (Thread t : ringThreads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void registerGauges() {
        metrics.gauge("tidemark.journal.ring.occupancy", "Ring slots holding commands not yet completed", null,
                Tags.empty(), this::ringOccupancy);
        metrics.gauge("tidemark.journal.ring.capacity", "Ring slots", null, Tags.empty(), ring::getBufferSize);
        metrics.gauge("tidemark.journal.disk.bytes", "Journal cycle files on disk", "bytes", Tags.empty(),
                retention::diskBytes);
        metrics.gauge("tidemark.journal.cycles", "Journal cycle files", null, Tags.empty(), retention::cycles);
        metrics.gauge("tidemark.journal.sequence", "Highest sequence in each state", null, Tags.of("state", "appended"),
                sync::appended);
        metrics.gauge("tidemark.journal.sequence", "Highest sequence in each state", null, Tags.of("state", "durable"),
                sync::durable);
        metrics.gauge("tidemark.journal.sequence", "Highest sequence in each state", null, Tags.of("state", "applied"),
                applied::get);
        metrics.gauge("tidemark.journal.sequence", "Highest sequence in each state", null,
                Tags.of("state", "checkpointed"), () -> checkpoint.sequence());
    }

    private static void forceAllCycleFiles(Path directory) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + JournalRetention.CYCLE_SUFFIX)) {
            for (Path p : files) {
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p,
                        java.nio.file.StandardOpenOption.WRITE)) {
                    ch.force(false);
                }
            }
        }
    }

    /** Unexpected stage exceptions fail the group and the event, instead of killing the stage thread. */
    private final class StageFailure implements ExceptionHandler<WriteEvent> {
        @Override
        public void handleEventException(Throwable ex, long sequence, WriteEvent event) {
            health.fail("ring stage at seq " + (base + sequence + 1), ex);
            if (event != null) {
                event.failure = health.failure();
                CompletableFuture<Long> completion = event.completion;
                if (completion != null) {
                    completion.completeExceptionally(health.failure());
                }
            }
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            health.fail("ring stage start", ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            LOG.warn("group {}: ring stage shutdown: {}", config.name(), ex.toString());
        }
    }

    @Override
    public String toString() {
        return "ConsistencyGroup[" + config.name() + ", seq " + appendedSequence() + "]";
    }
}
