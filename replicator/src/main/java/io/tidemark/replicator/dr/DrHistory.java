package io.tidemark.replicator.dr;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.journal.RecordType;
import io.tidemark.replicator.seal.DataKey;
import io.tidemark.replicator.seal.OpenedRecord;
import io.tidemark.replicator.seal.RecordOpener;
import io.tidemark.replicator.seal.SealedRecord;
import io.tidemark.replicator.seal.TamperedRecordException;
import io.tidemark.replicator.ship.GroupDescriptor;
import io.tidemark.replicator.ship.ReplicaSink;
import io.tidemark.replicator.ship.VolumeDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DR site's history of one replicated group: the {@link ReplicaSink} the receiver appends
 * to, and the source of recovery points and point-in-time views.
 *
 * <p>On disk, under its directory: {@code journal/} the sealed records as received (Chronicle
 * Queue, ciphertext at rest); {@code index/} RocksDB with the multi-version block index
 * ({@link BlockIndexDescriptor}), marks, record places and how far the index goes;
 * {@code base/} one plaintext sparse image per volume as of the base sequence; {@code base.state}.
 *
 * <p>Append verifies the tag before anything is stored; {@link #sync()} fdatasyncs the journal,
 * then writes the index entries of the records it made durable (RocksDB without its WAL: after
 * a crash the index is rebuilt from the journal, from where it had got to). Retention (a
 * thread of its own) applies aged records, or the oldest ones while the journal is over its size
 * cap, to the base, never past a pinned view. Thread-safe: the sink methods are called by one
 * thread at a time (synchronized), views and queries from any thread.
 */
public final class DrHistory implements ReplicaSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DrHistory.class);

    static {
        org.rocksdb.RocksDB.loadLibrary(); // before the first WriteBatch
    }
    static final long DEFAULT_CACHE_BYTES = 64L << 20;
    /** Index operations buffered before they are written even without a sync (bounds memory). */
    private static final int MAX_PENDING_OPS = 200_000;
    private static final long DISK_BYTES_REFRESH_MS = 5_000;
    /** The retention thread flushes the index at least this often while records arrive. */
    private static final long INDEX_FLUSH_MS = 30_000;
    private static final Duration[] ROLL_PERIODS = {Duration.ofSeconds(1), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(30), Duration.ofHours(1)};

    /** Internal knobs (tests and measurements change them). */
    record Options(Clock clock, int grainBytes, long cacheBytes, boolean retentionThread, Duration rollPeriod) {
        static Options defaults() {
            return new Options(Clock.systemUTC(), BlockIndexDescriptor.GRAIN_BYTES, DEFAULT_CACHE_BYTES, true, null);
        }

        Options(Clock clock, int grainBytes, long cacheBytes, boolean retentionThread) {
            this(clock, grainBytes, cacheBytes, retentionThread, null);
        }
    }

    private final String group;
    private final Path directory;
    private final GroupDescriptor desc;
    private final DrSettings settings;
    private final Clock clock;
    private final Map<Integer, VolumeLayout> layouts = new LinkedHashMap<>();
    private final DrJournal journal;
    private final HistoryStore store;
    private final BaseImages base;
    private final Marks marks = new Marks();
    private final PayloadCache cache;
    private final ViewReader reader;
    private final DataKey key;
    /** Idle record openers, each with its journal read buffer: one per opening at a time ({@link #openRecord}). */
    private final SlotPool<Opening> openings = new SlotPool<>(SlotPool.defaultSize());
    private final ReentrantReadWriteLock trimLock = new ReentrantReadWriteLock();
    private final Object pinLock = new Object();
    /** Pinned sequences and how many views hold each; guarded by pinLock. */
    private final TreeMap<Long, Integer> pins = new TreeMap<>();
    private final DrMetrics metrics;
    private final Retention retention;
    private final ScheduledExecutorService retentionThread;

    /** Views may not open below this (retention's target while it applies); written under pinLock. */
    private volatile long floor;
    private volatile BaseState baseState;
    private volatile long visibleSequence;
    private volatile long visibleMicros;
    private volatile boolean closed;
    /** Why the sink refuses records until reopened (a record journaled but not indexed), or null. */
    private volatile String failure;
    /** Retention thread only: what the last periodic index flush covered, and when. */
    private long flushedThrough;
    private long flushedAtMillis;
    private volatile long diskBytesAt;
    private volatile long[] diskBytes = {0, 0, 0};

    // the sink's thread only (synchronized methods)
    private final RecordOpener sinkOpener;
    private RecordIndexer indexer;
    private long received;

    private DrHistory(Path directory, GroupDescriptor desc, DataKey key, DrSettings settings, MeterRegistry registry,
                      Options options) throws IOException {
        this.group = desc.name();
        this.directory = directory;
        this.desc = desc;
        this.settings = settings;
        this.clock = options.clock();
        this.key = key;
        for (VolumeDescriptor v : desc.volumes()) {
            layouts.put(v.volumeId(), VolumeLayout.of(v, options.grainBytes()));
        }
        Files.createDirectories(directory);
        this.sinkOpener = new RecordOpener(key);
        this.baseState = BaseState.load(directory);
        HistoryStore s = null;
        DrJournal j = null;
        BaseImages b = null;
        try {
            s = HistoryStore.open(directory.resolve("index"));
            j = DrJournal.open(group, directory.resolve("journal"),
                    options.rollPeriod() != null ? options.rollPeriod() : rollPeriod(settings.retention()), clock);
            b = new BaseImages(directory.resolve("base"), desc.volumes());
        } catch (IOException | RuntimeException e) {
            closeQuietly(b, j, s);
            throw e;
        }
        this.store = s;
        this.journal = j;
        this.base = b;
        this.cache = new PayloadCache(options.cacheBytes(), this::openAt);
        this.reader = new ViewReader(store, base, cache, trimLock.readLock());
        this.retention = new Retention(this);
        try {
            recover();
        } catch (IOException | RuntimeException e) {
            closeQuietly(indexer, base, journal, store);
            throw e;
        }
        this.metrics = new DrMetrics(registry, group, this::status);
        if (options.retentionThread()) {
            retentionThread = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dr-retention-" + group);
                t.setDaemon(true);
                return t;
            });
            // each round fsyncs the base and flushes RocksDB: a twentieth of the window, 1 s to 1 min apart
            long periodMs = Math.max(1000, Math.min(60_000, settings.retention().toMillis() / 20));
            retentionThread.scheduleWithFixedDelay(this::retentionTick, periodMs, periodMs, TimeUnit.MILLISECONDS);
        } else {
            retentionThread = null;
        }
    }

    /**
     * Creates the history of group {@code desc} in {@code dir}, or reopens it: repairs a torn
     * journal tail, finishes an interrupted retention round, and indexes what the index lacks.
     */
    public static DrHistory open(Path dir, GroupDescriptor desc, DataKey key, DrSettings settings,
                                 MeterRegistry registry) throws IOException {
        return new DrHistory(dir, desc, key, settings, registry, Options.defaults());
    }

    static DrHistory open(Path dir, GroupDescriptor desc, DataKey key, DrSettings settings, MeterRegistry registry,
                          Options options) throws IOException {
        return new DrHistory(dir, desc, key, settings, registry, options);
    }

    /** Journal cycles short enough that trimming follows retention closely: at most a quarter of the window, an hour. */
    static Duration rollPeriod(Duration retention) {
        Duration chosen = ROLL_PERIODS[0];
        for (Duration d : ROLL_PERIODS) {
            if (d.multipliedBy(4).compareTo(retention) <= 0) {
                chosen = d;
            }
        }
        return chosen;
    }

    // ---------------------------------------------------------------- recovery at open

    private void recover() throws IOException {
        IndexedThrough indexed = IndexedThrough.decode(store.get(store.meta(), HistoryStore.META_INDEXED));
        try (RocksIterator it = store.iterator(store.marks())) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                marks.add(Mark.decode(it.key(), it.value()));
            }
        }
        floor = baseState.sequence();
        if (indexed.sequence() < baseState.sequence()) {
            // the index lost more than the base holds (its files were lost): continue after the base
            indexed = new IndexedThrough(baseState.sequence(), indexed.journalIndex(),
                    Math.max(indexed.streamMicros(), baseState.timestampMicros()), indexed.epoch(), 0, 0);
        }
        indexer = new RecordIndexer(group, store, layouts, marks, settings, indexed);
        long skipThrough = Math.max(indexed.sequence(), baseState.sequence());
        int goodCycle = Integer.MIN_VALUE;
        long goodEnd = -1;
        int badCycle = Integer.MIN_VALUE;
        long badHeader = -1;
        int reindexed = 0;
        try (DrJournal.Scanner scanner = journal.scanAfter(indexed.journalIndex())) {
            for (ByteBuffer doc = scanner.next(); doc != null; doc = scanner.next()) {
                String problem = null;
                try {
                    SealedRecord r = SealedRecord.wrap(doc);
                    if (r.sequence() > skipThrough) {
                        OpenedRecord opened = sinkOpener.open(r);
                        indexer.check(r, opened);
                        indexer.index(r, opened, scanner.index(), scanner.headerPosition() + 4);
                        reindexed++;
                    }
                } catch (IllegalArgumentException | IOException e) {
                    problem = e.getMessage();
                }
                if (problem != null) {
                    LOG.warn("group {}: DR journal index {} is not a good record after seq {}: {}", group, scanner.index(),
                            indexer.last().sequence(), problem);
                    badCycle = scanner.cycle();
                    badHeader = scanner.headerPosition();
                    break;
                }
                goodCycle = scanner.cycle();
                goodEnd = scanner.endPosition();
            }
        }
        if (goodCycle == Integer.MIN_VALUE && indexed.journalIndex() >= 0) {
            goodEnd = endOf(indexed.journalIndex());
            goodCycle = goodEnd < 0 ? Integer.MIN_VALUE : journal.rollCycle().toCycle(indexed.journalIndex());
        }
        if (goodCycle != Integer.MIN_VALUE || badCycle != Integer.MIN_VALUE || indexed.journalIndex() < 0) {
            journal.repairTail(goodCycle, goodEnd, badCycle, badHeader);
        } else {
            LOG.warn("group {}: DR journal record of seq {} (index {}) not found; tail left as it is", group,
                    indexed.sequence(), indexed.journalIndex());
        }
        journal.force();
        indexer.writePending();
        visibleSequence = indexer.last().sequence();
        visibleMicros = indexer.last().streamMicros();
        BaseState b = baseState;
        if (b.applying() > b.sequence()) {
            LOG.warn("group {}: retention was interrupted while applying up to seq {} to the base (at seq {}); redoing it",
                    group, b.applying(), b.sequence());
            floor = b.applying();
            retention.finish(b.applying());
        }
        if (reindexed > 0) {
            LOG.info("group {}: indexed {} records the index lacked (up to seq {})", group, reindexed,
                    indexer.last().sequence());
        }
        LOG.info("group {}: DR history open at {}: base seq {}, newest seq {}, {}", group, directory,
                baseState.sequence(), visibleSequence, syncDescription());
    }

    /** File offset past the record at {@code journalIndex} (for the tail repair when the scan found nothing new). */
    private long endOf(long journalIndex) {
        try (DrJournal.Scanner scanner = journal.scanAt(journalIndex)) {
            return scanner.next() != null && scanner.index() == journalIndex ? scanner.endPosition() : -1;
        }
    }

    // ---------------------------------------------------------------- ReplicaSink

    @Override
    public long epoch() {
        return indexer.last().epoch();
    }

    /**
     * The last record held durably. Records appended but not synced yet (a link that dropped
     * mid-batch) are made durable first: they verified and are in order, and a primary resuming
     * after an older sequence would only be refused as sending duplicates.
     */
    @Override
    public synchronized long durableSequence() {
        if (!closed && failure == null && indexer.last().sequence() > visibleSequence) {
            try {
                sync();
            } catch (IOException | RuntimeException e) {
                LOG.warn("group {}: sync of appended records up to seq {} failed: {}", group, indexer.last().sequence(),
                        e.toString());
            }
        }
        return visibleSequence;
    }

    @Override
    public boolean initialSyncComplete() {
        Mark m = marks.lastSync();
        return m != null && m.kind() == Mark.Kind.SYNC_COMPLETE && m.sequence() <= visibleSequence;
    }

    @Override
    public synchronized void append(SealedRecord r) throws IOException {
        checkOpen();
        if (failure != null) {
            throw new IOException("group " + group + ": DR history failed (" + failure + "); reopen it");
        }
        OpenedRecord opened = sinkOpener.open(r); // TamperedRecordException: nothing stored
        indexer.check(r, opened);
        DrJournal.Location at = journal.append(r.bytes());
        try {
            indexer.index(r, opened, at.index(), at.position());
        } catch (IOException | RuntimeException e) {
            // the record is in the journal but not indexed: appending more would misplace the next ones
            failure = "index of seq " + r.sequence() + " failed: " + e.getMessage();
            LOG.warn("group {}: {}; the history takes no more records until it is reopened", group, failure);
            throw new IOException("group " + group + ": " + failure, e);
        }
        received++;
        metrics.recordStored();
        if (indexer.pendingOps() > MAX_PENDING_OPS) {
            // the journal first: the index never names a record that is not durable
            journal.force();
            indexer.writePending();
        }
    }

    @Override
    public synchronized long sync() throws IOException {
        checkOpen();
        if (failure != null) {
            throw new IOException("group " + group + ": DR history failed (" + failure + "); reopen it");
        }
        journal.force();
        indexer.writePending();
        IndexedThrough last = indexer.last();
        visibleMicros = last.streamMicros();
        visibleSequence = last.sequence();
        return visibleSequence;
    }

    // ---------------------------------------------------------------- points and views

    /** Automatic and named recovery points whose time is in [from, to] (null: unbounded), oldest first. */
    public List<RecoveryPoint> points(Instant from, Instant to) {
        long fromMicros = from == null ? Long.MIN_VALUE : micros(from);
        long toMicros = to == null ? Long.MAX_VALUE : micros(to);
        long oldest = oldestSequence();
        List<RecoveryPoint> out = new ArrayList<>();
        if (oldest < 0) {
            return out;
        }
        for (Mark m : marks.points(oldest, visibleSequence, fromMicros, toMicros)) {
            out.add(new RecoveryPoint(m.sequence(), instant(m.timestampMicros()), m.name()));
        }
        return out;
    }

    /** The newest point (automatic, named, the oldest or the newest record) at or before {@code t}. */
    public long resolveTime(Instant t) {
        long oldest = oldestSequence();
        if (oldest < 0) {
            throw new IllegalArgumentException(noPointReason());
        }
        long at = micros(t);
        long newest = visibleSequence;
        if (visibleMicros <= at && marks.consistent(newest)) {
            return newest;
        }
        long oldestMicros = timeOf(oldest);
        if (at < oldestMicros) {
            throw new IllegalArgumentException("time " + t + " is before the window of group " + group + " (oldest point: "
                    + instant(oldestMicros) + ", seq " + oldest + ")");
        }
        Mark m = marks.newestPointAtOrBefore(at, oldest, newest);
        return m == null ? oldest : m.sequence();
    }

    /** The sequence of the newest checkpoint named {@code name}; fails when unknown or outside the window. */
    public long resolveCheckpoint(String name) {
        Long seq = marks.checkpoint(name);
        if (seq == null || seq > visibleSequence) {
            throw new IllegalArgumentException("unknown checkpoint of group " + group + ": " + name);
        }
        checkSequence(seq);
        return seq;
    }

    /** Fails with the reason when a view cannot be opened at {@code seq}. */
    public void checkSequence(long seq) {
        long newest = visibleSequence;
        if (seq > newest) {
            throw new IllegalArgumentException("seq " + seq + " is after the newest of group " + group + " (seq " + newest
                    + ")");
        }
        long low = Math.max(floor, baseState.sequence());
        if (seq < low) {
            throw new IllegalArgumentException("seq " + seq + " is before the window of group " + group
                    + " (oldest: seq " + Math.max(low, oldestSequence()) + ")");
        }
        if (!marks.consistent(seq)) {
            Mark sync = marks.lastSync();
            throw new IllegalArgumentException("seq " + seq + " is before the initial sync of group " + group
                    + " completed (" + (sync == null ? "no sync started yet"
                    : sync.kind() == Mark.Kind.SYNC_START ? "sync running since seq " + sync.sequence()
                    : "a sync ran around it") + ")");
        }
    }

    /** A read-only view of every volume as of {@code sequence}; pins it until closed. */
    public PitView openView(long sequence) {
        checkOpen();
        synchronized (pinLock) {
            checkSequence(sequence);
            pins.merge(sequence, 1, Integer::sum);
        }
        return new HistoryView(this, sequence, instant(timeOf(sequence)));
    }

    void unpin(long sequence) {
        synchronized (pinLock) {
            pins.computeIfPresent(sequence, (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    /**
     * Retention wants to apply records up to {@code target}: lowers it to the lowest pin and
     * raises the floor views may open at, atomically with {@link #openView}. Returns the target.
     */
    long beginApplying(long target) {
        synchronized (pinLock) {
            long t = pins.isEmpty() ? target : Math.min(target, pins.firstKey());
            t = Math.min(t, visibleSequence);
            if (t > floor) {
                floor = t;
            }
            return t;
        }
    }

    public HistoryStatus status() {
        long oldest = oldestSequence();
        long newest = visibleSequence;
        Mark sync = marks.lastSync();
        HistoryStatus.SyncState state = sync == null ? HistoryStatus.SyncState.WAITING
                : sync.kind() == Mark.Kind.SYNC_COMPLETE && sync.sequence() <= newest ? HistoryStatus.SyncState.COMPLETE
                : HistoryStatus.SyncState.SYNCING;
        IndexedThrough at = indexer.last();
        long total = at.syncTotalBytes();
        int pinned;
        synchronized (pinLock) {
            pinned = pins.values().stream().mapToInt(Integer::intValue).sum();
        }
        long[] disk = diskBytes();
        return new HistoryStatus(group, oldest, oldest < 0 ? null : instant(timeOf(oldest)), newest,
                newest == 0 ? null : instant(visibleMicros), baseState.sequence(), state,
                state == HistoryStatus.SyncState.COMPLETE ? total : at.syncDoneBytes(), total, pinned, disk[0],
                disk[1], disk[2], received);
    }

    private long[] diskBytes() {
        long now = System.currentTimeMillis();
        if (now - diskBytesAt > DISK_BYTES_REFRESH_MS) {
            diskBytes = new long[]{journal.usedBytes(), store.diskBytes(), base.allocatedBytes()};
            diskBytesAt = now;
        }
        return diskBytes;
    }

    /** Oldest sequence a view can open at, or -1 when none (no consistent point yet). */
    private long oldestSequence() {
        long low = Math.max(floor, baseState.sequence());
        long s = marks.firstConsistentFrom(low);
        return s >= 0 && s <= visibleSequence ? s : -1;
    }

    private String noPointReason() {
        Mark sync = marks.lastSync();
        return "group " + group + " has no recovery point yet (" + (sync == null ? "initial sync not started"
                : "initial sync running since seq " + sync.sequence()) + ")";
    }

    private String syncDescription() {
        Mark sync = marks.lastSync();
        return sync == null ? "no sync yet" : sync.kind() == Mark.Kind.SYNC_COMPLETE ? "synced at seq " + sync.sequence()
                : "syncing since seq " + sync.sequence();
    }

    /** Timestamp (micros) of the record at {@code seq}. */
    long timeOf(long seq) {
        BaseState b = baseState;
        if (seq == b.sequence()) {
            return b.timestampMicros();
        }
        Mark m = marks.at(seq);
        if (m != null) {
            return m.timestampMicros();
        }
        try {
            byte[] v = store.get(store.records(), RecordEntry.key(seq));
            return v == null ? 0 : RecordEntry.decode(RecordEntry.key(seq), v).timestampMicros();
        } catch (IOException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- retention

    private void retentionTick() {
        if (closed) {
            return;
        }
        try {
            boolean applied = false;
            while (!closed && retention.runOnce()) {
                applied = true; // keep going while there is work: each round is bounded
            }
            long now = clock.millis();
            if (!applied && !closed && visibleSequence > flushedThrough && now - flushedAtMillis >= INDEX_FLUSH_MS) {
                // bounds what a crash makes the next open re-index from the journal (the index has no WAL)
                long through = visibleSequence;
                store.flush();
                flushedThrough = through;
                flushedAtMillis = now;
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("group {}: DR retention round failed, retrying: {}", group, e.toString());
        }
    }

    /** Runs retention rounds until there is nothing to apply (tests; the thread does the same). */
    int runRetention() throws IOException {
        int rounds = 0;
        while (retention.runOnce()) {
            rounds++;
        }
        return rounds;
    }

    /**
     * Opens the record at {@code journalIndex} (file offset {@code filePosition}) with a pooled
     * opener, read into that opener's reused buffer: besides the payload returned (and the small
     * objects of the cipher's setup), nothing is allocated per record.
     */
    OpenedRecord openRecord(long journalIndex, long filePosition) throws IOException {
        Opening o = openings.poll();
        if (o == null) {
            o = new Opening(new RecordOpener(key));
        }
        try {
            ByteBuffer bytes = journal.read(journalIndex, filePosition, o.buffer);
            if (bytes == null) {
                throw new IOException("group " + group + ": DR journal index " + journalIndex + " is no longer there");
            }
            // the payload returned is the opener's own allocation: nothing refers to the buffer after this
            return o.opener.open(SealedRecord.wrap(bytes));
        } catch (TamperedRecordException e) {
            throw new IOException("group " + group + ": stored record at DR journal index " + journalIndex
                    + " does not open: " + e.getMessage(), e);
        } finally {
            openings.offer(o); // dropped when the pool is full
        }
    }

    /** A record opener and the buffer it reads records into. Not thread-safe: one opening at a time. */
    private static final class Opening {
        final RecordOpener opener;
        final DrJournal.ReadBuffer buffer = new DrJournal.ReadBuffer();

        Opening(RecordOpener opener) {
            this.opener = opener;
        }
    }

    private ByteBuffer openAt(long journalIndex, long filePosition) throws IOException {
        return openRecord(journalIndex, filePosition).payload();
    }

    /** Applies one opened record to the base images. */
    void applyToBase(OpenedRecord r) throws IOException {
        BlockEffect effect = BlockEffect.of(r.type(), r.flags());
        if (effect == BlockEffect.NONE) {
            return;
        }
        VolumeLayout v = layout(r.volumeId());
        long offset = r.lba() * v.blockSize();
        long length = r.blockCount() * v.blockSize();
        switch (effect) {
            case DATA -> base.write(v.volumeId(), offset, r.payload());
            case ZERO -> base.zero(v.volumeId(), offset, length);
            case PATTERN -> {
                ByteBuffer block = r.payload();
                int reps = (int) Math.min(r.blockCount(), Math.max(1, (1 << 20) / v.blockSize()));
                ByteBuffer chunk = ByteBuffer.allocate(reps * v.blockSize());
                for (int i = 0; i < reps; i++) {
                    chunk.put(block.duplicate());
                }
                for (long done = 0; done < length; ) {
                    int n = (int) Math.min(chunk.capacity(), length - done);
                    base.write(v.volumeId(), offset + done, chunk.clear().limit(n));
                    done += n;
                }
            }
            default -> throw new IllegalStateException("effect " + effect);
        }
    }

    // ---------------------------------------------------------------- package accessors

    String group() {
        return group;
    }

    Path directory() {
        return directory;
    }

    DrSettings settings() {
        return settings;
    }

    Clock clock() {
        return clock;
    }

    DrJournal journal() {
        return journal;
    }

    HistoryStore store() {
        return store;
    }

    BaseImages base() {
        return base;
    }

    Marks marks() {
        return marks;
    }

    BaseState baseState() {
        return baseState;
    }

    void baseState(BaseState state) {
        this.baseState = state;
    }

    long visibleSequence() {
        return visibleSequence;
    }

    ReentrantReadWriteLock trimLock() {
        return trimLock;
    }

    ViewReader reader() {
        return reader;
    }

    PayloadCache cache() {
        return cache;
    }

    int blockSize() {
        return desc.volumes().get(0).blockSize();
    }

    VolumeLayout layout(int volumeId) {
        VolumeLayout v = layouts.get(volumeId);
        if (v == null) {
            throw new IllegalArgumentException("volume id of group " + group + ": " + volumeId + " (expected: one of "
                    + layouts.keySet() + ")");
        }
        return v;
    }

    GroupDescriptor descriptor() {
        return desc;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("DR history of group " + group + " is closed");
        }
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }

    /** Makes what was appended durable, then closes; open views stop working. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stopRetention();
        try {
            synchronized (this) {
                journal.force();
                indexer.writePending();
            }
        } finally {
            metrics.close();
            indexer.close();
            trimLock.writeLock().lock();
            try {
                closeQuietly(base, journal);
                store.close(); // closes the pooled index iterators: no view read holds one now
            } finally {
                trimLock.writeLock().unlock();
                openings.drain(o -> { }); // their keys and buffers go with them
            }
        }
    }

    /** Closes without syncing the journal or flushing the index: what a crash leaves behind (tests). */
    void abandon() {
        synchronized (this) {
            closed = true;
        }
        stopRetention();
        metrics.close();
        indexer.close();
        closeQuietly(base, journal);
        store.abandon();
    }

    private void stopRetention() {
        if (retentionThread != null) {
            retentionThread.shutdown();
            try {
                if (!retentionThread.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.warn("group {}: DR retention did not stop within 30 s", group);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(AutoCloseable... closeables) {
        for (AutoCloseable c : closeables) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
