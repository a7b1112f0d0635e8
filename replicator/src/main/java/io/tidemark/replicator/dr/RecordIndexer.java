package io.tidemark.replicator.dr;

import io.tidemark.journal.RecordType;
import io.tidemark.replicator.seal.Metadata;
import io.tidemark.replicator.seal.OpenedRecord;
import io.tidemark.replicator.seal.SealedRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Turns stored records into index state: checks a record's order, epoch, volume and payload
 * before it is stored; then puts its block index entries, its place ({@link RecordEntry}) and
 * the marks it makes (an automatic point when it starts a new interval of stream time, a
 * checkpoint, a sync start or end) into a pending batch, written after the journal was
 * forced, with the "indexed" entry naming its last record. Not thread-safe: used under the
 * history's monitor (the sink's calls) or by the opening thread.
 */
final class RecordIndexer implements AutoCloseable {

    private final String group;
    private final HistoryStore store;
    private final Map<Integer, VolumeLayout> layouts;
    private final Marks marks;
    private final DrSettings settings;
    private final WriteBatch pending = new WriteBatch();
    private int pendingOps;
    /** The last record indexed (written under the history's monitor, read by status from any thread). */
    private volatile IndexedThrough last;

    RecordIndexer(String group, HistoryStore store, Map<Integer, VolumeLayout> layouts, Marks marks, DrSettings settings,
                  IndexedThrough last) {
        this.group = group;
        this.store = store;
        this.layouts = layouts;
        this.marks = marks;
        this.settings = settings;
        this.last = last;
    }

    IndexedThrough last() {
        return last;
    }

    /** Index operations waiting for {@link #writePending()}. */
    int pendingOps() {
        return pendingOps;
    }

    /** Order, epoch, volume and payload checks; throws before anything of a bad record is stored. */
    void check(SealedRecord r, OpenedRecord opened) throws IOException {
        long seq = r.sequence();
        long expected = last.sequence() + 1;
        boolean syncStart = r.type() == RecordType.METADATA && metadata(opened) != null
                && metadata(opened).isSyncStart();
        if (seq != expected && !(syncStart && seq > last.sequence())) {
            throw new IOException("group " + group + ": record seq " + seq + " out of order (expected: " + expected
                    + (syncStart ? " or later for a sync-start" : "") + ")");
        }
        if (r.epoch() < last.epoch()) {
            throw new IOException("group " + group + ": record seq " + seq + " of epoch " + r.epoch()
                    + " (expected: >= " + last.epoch() + ", the epoch seen last)");
        }
        BlockEffect effect = BlockEffect.of(r.type(), r.flags());
        if (effect == BlockEffect.NONE) {
            return;
        }
        VolumeLayout v = layouts.get(r.volumeId());
        if (v == null) {
            throw new IOException("group " + group + ": record seq " + seq + " names volume id " + r.volumeId()
                    + " (expected: one of " + layouts.keySet() + ")");
        }
        try {
            v.checkRange(r.lba(), r.blockCount(), seq);
        } catch (IllegalArgumentException e) {
            throw new IOException("group " + group + ": " + e.getMessage());
        }
        long expectedLength = r.type().expectedPayloadLength(r.blockCount(), v.blockSize(), r.flags());
        if (expectedLength >= 0 && expectedLength != opened.plainLength()) {
            throw new IOException("group " + group + ": record seq " + seq + " " + r.type() + " payload "
                    + opened.plainLength() + " bytes (expected: " + expectedLength + ")");
        }
    }

    static Metadata metadata(OpenedRecord opened) {
        try {
            return Metadata.parse(opened.payload());
        } catch (IllegalArgumentException e) {
            return null; // a kind this version does not know, or not JSON: stored, not interpreted
        }
    }

    /** Adds the index entries, record place, marks and the "indexed" entry of one stored record to the pending batch. */
    void index(SealedRecord r, OpenedRecord opened, long journalIndex, long filePosition) throws IOException {
        long seq = r.sequence();
        long micros = Math.max(last.streamMicros(), r.timestampMicros()); // stream time never goes back
        long syncDone = last.syncDoneBytes();
        long syncTotal = last.syncTotalBytes();
        List<Mark> newMarks = new ArrayList<>(2);
        long interval = settings.checkpointInterval().toNanos() / 1000;
        if (last.sequence() > 0 && micros / interval > last.streamMicros() / interval && marks.at(last.sequence()) == null) {
            newMarks.add(new Mark(last.sequence(), last.streamMicros(), Mark.Kind.AUTO, null, 0));
        }
        BlockEffect effect = BlockEffect.of(r.type(), r.flags());
        try {
            if (effect != BlockEffect.NONE) {
                VolumeLayout v = layouts.get(r.volumeId());
                v.index(pending, store.index(), effect, r.lba(), r.blockCount(), seq, journalIndex, filePosition);
                pendingOps += (int) Math.min(Integer.MAX_VALUE, r.blockCount() / v.sectorsPerGrain() + 1);
                if (r.type() == RecordType.SNAPSHOT) {
                    syncDone += r.blockCount() * v.blockSize();
                }
            } else if (r.type() == RecordType.METADATA) {
                Metadata m = metadata(opened);
                if (m != null && m.isCheckpoint()) {
                    newMarks.add(new Mark(seq, micros, Mark.Kind.CHECKPOINT, m.name(), 0));
                } else if (m != null && m.isSyncStart()) {
                    newMarks.add(new Mark(seq, micros, Mark.Kind.SYNC_START, null, m.bytes()));
                    syncDone = 0;
                    syncTotal = m.bytes();
                } else if (m != null && m.isSyncComplete()) {
                    newMarks.add(new Mark(seq, micros, Mark.Kind.SYNC_COMPLETE, null, 0));
                }
            }
            pending.put(store.records(), RecordEntry.key(seq),
                    new RecordEntry(seq, journalIndex, r.timestampMicros(), r.length(), filePosition).value());
            for (Mark m : newMarks) {
                pending.put(store.marks(), m.key(), m.value());
            }
            last = new IndexedThrough(seq, journalIndex, micros, r.epoch(), syncDone, syncTotal);
            pendingOps += 1 + newMarks.size();
        } catch (RocksDBException e) {
            throw new IOException("group " + group + ": index batch for seq " + seq + ": " + e.getMessage(), e);
        }
        for (Mark m : newMarks) {
            marks.add(m);
        }
    }

    /** Writes the pending index batch with the "indexed" entry naming its last record (call after the journal force). */
    void writePending() throws IOException {
        if (pendingOps == 0) {
            return;
        }
        try {
            pending.put(store.meta(), HistoryStore.META_INDEXED, last.value());
        } catch (RocksDBException e) {
            throw new IOException("group " + group + ": index batch: " + e.getMessage(), e);
        }
        store.write(pending);
        pending.clear();
        pendingOps = 0;
    }

    @Override
    public void close() {
        pending.close();
    }
}
