package io.tidemark.replicator.dr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The replica's marks in memory (the "marks" column family holds them durably): lookups by
 * sequence, by time and by checkpoint name, and whether a sequence is a consistent point (the
 * last sync mark at or before it is a sync-complete). Thread-safe: concurrent maps; the one
 * writer (the sink's thread, or retention dropping old marks) never leaves a lookup half-done.
 */
final class Marks {

    private final NavigableMap<Long, Mark> bySequence = new ConcurrentSkipListMap<>();
    private final NavigableMap<Long, Mark> syncs = new ConcurrentSkipListMap<>();
    private final Map<String, Long> byName = new ConcurrentHashMap<>();

    void add(Mark m) {
        bySequence.put(m.sequence(), m);
        if (m.kind().sync()) {
            syncs.put(m.sequence(), m);
        }
        if (m.kind() == Mark.Kind.CHECKPOINT) {
            byName.merge(m.name(), m.sequence(), Math::max);
        }
    }

    /** True when the stream at {@code sequence} is a consistent state (a sync completed and no sync restarted since). */
    boolean consistent(long sequence) {
        Map.Entry<Long, Mark> last = syncs.floorEntry(sequence);
        return last != null && last.getValue().kind() == Mark.Kind.SYNC_COMPLETE;
    }

    /** The first consistent sequence at or after {@code from}, or -1. */
    long firstConsistentFrom(long from) {
        if (consistent(from)) {
            return from;
        }
        for (Mark m : syncs.tailMap(from, false).values()) {
            if (m.kind() == Mark.Kind.SYNC_COMPLETE) {
                return m.sequence();
            }
        }
        return -1;
    }

    /** The newest sync mark (null: no sync seen). */
    Mark lastSync() {
        Map.Entry<Long, Mark> e = syncs.lastEntry();
        return e == null ? null : e.getValue();
    }

    Mark at(long sequence) {
        return bySequence.get(sequence);
    }

    /** The newest sequence of a checkpoint named {@code name}, or null. */
    Long checkpoint(String name) {
        return byName.get(name);
    }

    /** Automatic and named points with sequence in [fromSeq, toSeq], time in [fromMicros, toMicros], consistent. */
    List<Mark> points(long fromSeq, long toSeq, long fromMicros, long toMicros) {
        List<Mark> out = new ArrayList<>();
        if (fromSeq > toSeq) {
            return out;
        }
        for (Mark m : bySequence.subMap(fromSeq, true, toSeq, true).values()) {
            if (m.kind().point() && m.timestampMicros() >= fromMicros && m.timestampMicros() <= toMicros
                    && consistent(m.sequence())) {
                out.add(m);
            }
        }
        return out;
    }

    /** The newest consistent point (auto or named) in [fromSeq, toSeq] whose time is at or before {@code micros}, or null. */
    Mark newestPointAtOrBefore(long micros, long fromSeq, long toSeq) {
        if (fromSeq > toSeq) {
            return null;
        }
        // marks are in sequence order and their times follow it (the primary's clock, made monotonic at the sink)
        for (Mark m : bySequence.subMap(fromSeq, true, toSeq, true).descendingMap().values()) {
            if (m.kind().point() && m.timestampMicros() <= micros && consistent(m.sequence())) {
                return m;
            }
        }
        return null;
    }

    /**
     * Forgets marks before {@code sequence} (they left the window), except the newest sync mark at
     * or before it, which still decides whether later points are consistent. Returns their keys.
     */
    List<Long> dropBefore(long sequence) {
        List<Long> dropped = new ArrayList<>();
        Map.Entry<Long, Mark> keepSync = syncs.floorEntry(sequence);
        for (Long seq : new ArrayList<>(bySequence.headMap(sequence, false).keySet())) {
            if (keepSync != null && seq.equals(keepSync.getKey())) {
                continue;
            }
            Mark m = bySequence.remove(seq);
            syncs.remove(seq);
            if (m != null && m.kind() == Mark.Kind.CHECKPOINT) {
                byName.remove(m.name(), seq);
            }
            dropped.add(seq);
        }
        return dropped;
    }

    int size() {
        return bySequence.size();
    }
}
