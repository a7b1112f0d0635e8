package io.tidemark.replicator.dr;

import io.tidemark.replicator.seal.OpenedRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the oldest records of a history into its base images: those older than the retention
 * window, and the oldest ones while the journal is over its size cap; never past the lowest
 * pinned view nor the newest durable record; whole records only, in order. A round: note the
 * target durably ({@link BaseState#applying()}), apply the records to the base, fdatasync it,
 * then delete their index entries, record places and marks (RocksDB flushed), note the new base
 * durably, and last delete the journal cycle files that hold only applied records. Applying
 * before deleting keeps every concurrent view read whole: a block either still has its entry or
 * the base already holds it. Not thread-safe: one round at a time (the retention thread, or
 * the opening thread before it starts).
 */
final class Retention {

    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    /** Bounds of one round, so that pins and shutdown are honoured promptly. */
    private static final int MAX_RECORDS_PER_ROUND = 20_000;
    private static final long MAX_BYTES_PER_ROUND = 128L << 20;

    private final DrHistory h;
    /** A pin held retention back in the last round (logged once per episode). */
    private boolean heldLogged;

    Retention(DrHistory history) {
        this.h = history;
    }

    /** One bounded round; true when it advanced the base. */
    boolean runOnce() throws IOException {
        BaseState b = h.baseState();
        long cutoffMicros = (h.clock().millis() - h.settings().retention().toMillis()) * 1000;
        long cap = h.settings().sizeCap();
        long journalBytes = cap > 0 ? h.journal().usedBytes() : 0;
        List<RecordEntry> chosen = new ArrayList<>();
        long bytes = 0;
        long limit = h.visibleSequence();
        try (RocksIterator it = h.store().iterator(h.store().records())) {
            for (it.seek(RecordEntry.key(b.sequence() + 1)); it.isValid(); it.next()) {
                RecordEntry e = RecordEntry.decode(it.key(), it.value());
                boolean aged = e.timestampMicros() < cutoffMicros;
                boolean overCap = cap > 0 && journalBytes > cap;
                if (e.sequence() > limit || (!aged && !overCap)
                        || chosen.size() >= MAX_RECORDS_PER_ROUND || bytes >= MAX_BYTES_PER_ROUND) {
                    break;
                }
                chosen.add(e);
                journalBytes -= e.length();
                bytes += e.length();
            }
        }
        if (chosen.isEmpty()) {
            return false;
        }
        long wanted = chosen.get(chosen.size() - 1).sequence();
        long target = h.beginApplying(wanted);
        boolean held = target < wanted;
        if (held && !heldLogged) {
            LOG.warn("group {}: retention wants to apply up to seq {} but a view pins seq {}; the window and the journal "
                    + "({} bytes, cap {}) stay until it is released", h.group(), wanted, target, h.journal().usedBytes(),
                    cap == 0 ? "none" : cap);
        }
        heldLogged = held;
        chosen.removeIf(e -> e.sequence() > target);
        if (chosen.isEmpty() || target <= b.sequence()) {
            return false;
        }
        apply(b, chosen, target);
        return true;
    }

    /** Finishes a round a crash interrupted: applies (again) every record up to {@code applying}. */
    void finish(long applying) throws IOException {
        BaseState b = h.baseState();
        List<RecordEntry> chosen = new ArrayList<>();
        try (RocksIterator it = h.store().iterator(h.store().records())) {
            for (it.seek(RecordEntry.key(b.sequence() + 1)); it.isValid(); it.next()) {
                RecordEntry e = RecordEntry.decode(it.key(), it.value());
                if (e.sequence() > applying) {
                    break;
                }
                chosen.add(e);
            }
        }
        apply(b, chosen, applying);
    }

    private void apply(BaseState b, List<RecordEntry> chosen, long target) throws IOException {
        BaseState intent = b.applying(target);
        intent.store(h.directory());
        h.baseState(intent);
        long targetMicros = h.timeOf(target);
        long lastIndex = -1;
        try (WriteBatch batch = new WriteBatch()) {
            for (RecordEntry e : chosen) {
                OpenedRecord r = h.openRecord(e.journalIndex(), e.filePosition());
                h.applyToBase(r);
                BlockEffect effect = BlockEffect.of(r.type(), r.flags());
                if (effect != BlockEffect.NONE) {
                    h.layout(r.volumeId()).unindex(batch, h.store().index(), r.lba(), r.blockCount(), r.sequence());
                }
                batch.delete(h.store().records(), RecordEntry.key(e.sequence()));
                lastIndex = e.journalIndex();
            }
            h.base().force();
            for (Long seq : h.marks().dropBefore(target)) {
                batch.delete(h.store().marks(), Mark.key(seq));
            }
            h.store().write(batch);
            h.store().flush();
        } catch (RocksDBException e) {
            throw new IOException("group " + h.group() + ": retention batch up to seq " + target + ": " + e.getMessage(), e);
        }
        BaseState done = new BaseState(target, targetMicros, target);
        done.store(h.directory());
        h.baseState(done);
        long keepFrom = firstIndexAfter(target, lastIndex);
        if (keepFrom >= 0) {
            h.trimLock().writeLock().lock();
            try {
                h.journal().trimBefore(keepFrom);
            } finally {
                h.trimLock().writeLock().unlock();
            }
        }
        LOG.info("group {}: base advanced from seq {} to seq {} ({} records applied)", h.group(), b.sequence(), target,
                chosen.size());
    }

    /** Journal index of the first record after {@code target}, else {@code fallback}. */
    private long firstIndexAfter(long target, long fallback) {
        try (RocksIterator it = h.store().iterator(h.store().records())) {
            it.seek(RecordEntry.key(target + 1));
            return it.isValid() ? RecordEntry.decode(it.key(), it.value()).journalIndex() : fallback;
        }
    }
}
