package io.tidemark.appliance.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Which group sequence each acknowledged write and each named checkpoint of a replication
 * test got on the primary, so any sequence maps to a {@link GroupModel} mark. A write's
 * sequence is the primary's appended sequence read right after its acknowledgement, while
 * nothing else writes to the group: a quiet group appends nothing between. Not thread-safe.
 */
final class SequenceLog {

    /** A named checkpoint: its sequence and the model mark it follows. */
    record Named(String name, long sequence, int mark, String time) {
    }

    private final NavigableMap<Long, Integer> marks = new TreeMap<>();
    private final Map<String, Named> checkpoints = new LinkedHashMap<>();
    private final int baseMark;

    /** @param baseMark the model mark of every sequence before the first one logged */
    SequenceLog(int baseMark) {
        this.baseMark = baseMark;
    }

    /** Records that the model was at {@code mark} at {@code sequence}; sequences must grow. */
    void wrote(long sequence, int mark) {
        Map.Entry<Long, Integer> last = marks.lastEntry();
        if (last != null && (sequence <= last.getKey() || mark < last.getValue())) {
            throw new AssertionError("appended sequence " + sequence + " after write #" + mark
                    + " does not follow sequence " + last.getKey() + " of write #" + last.getValue()
                    + " (expected: a higher sequence for every acknowledged write)");
        }
        marks.put(sequence, mark);
    }

    void checkpoint(ReplicationApi.Checkpoint c, int mark) {
        Map.Entry<Long, Integer> last = marks.lastEntry();
        if (last != null && c.sequence() <= last.getKey()) {
            throw new AssertionError("checkpoint " + c.name() + " got sequence " + c.sequence()
                    + ", not after the last write's " + last.getKey());
        }
        marks.put(c.sequence(), mark);
        checkpoints.put(c.name(), new Named(c.name(), c.sequence(), mark, c.time()));
    }

    /** The model mark at {@code sequence}: the newest write or checkpoint logged at or below it. */
    int markAt(long sequence) {
        Map.Entry<Long, Integer> floor = marks.floorEntry(sequence);
        return floor == null ? baseMark : floor.getValue();
    }

    boolean isEmpty() {
        return marks.isEmpty();
    }

    long firstSequence() {
        return marks.firstKey();
    }

    long lastSequence() {
        return marks.lastKey();
    }

    List<Named> checkpoints() {
        return new ArrayList<>(checkpoints.values());
    }

    Named checkpoint(String name) {
        Named n = checkpoints.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no checkpoint " + name + " in " + checkpoints.keySet());
        }
        return n;
    }
}
