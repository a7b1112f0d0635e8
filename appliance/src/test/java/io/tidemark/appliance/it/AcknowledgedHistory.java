package io.tidemark.appliance.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The crash test's model of one crash cycle, built only from what the initiators sent and
 * what they were told (never from the appliance's files): every write and flush with the
 * logical time it was sent and, if it was, acknowledged. From it, {@link #check} says which
 * versions each sector may hold after the crash.
 *
 * <p>Durability follows SCSI: a write is durable once acknowledged with FUA, or once a flush
 * (SYNCHRONIZE CACHE, from any session) that was SENT AFTER the write's acknowledgement
 * was itself acknowledged. Each sector must then hold its newest durable version or any
 * version sent after it (acknowledged or still in flight: those may or may not have
 * survived); with no durable write this cycle, the version it held when the cycle began
 * (read back and flushed) or any version sent since. Anything else is a violation.
 *
 * <p>Logical times come from one counter, so an acknowledgement observed before a flush was
 * sent is ordered before it even across sessions. Thread-safe (sessions record concurrently).
 */
final class AcknowledgedHistory {

    static final long NOT_ACKNOWLEDGED = Long.MAX_VALUE;

    /** One write command: sectors [lba, lba + sectors), stamped with version {@code id}. */
    static final class Write {
        final long id;
        final long lba;
        final int sectors;
        final boolean fua;
        final long sent;
        volatile long acknowledged = NOT_ACKNOWLEDGED;

        Write(long id, long lba, int sectors, boolean fua, long sent) {
            this.id = id;
            this.lba = lba;
            this.sectors = sectors;
            this.fua = fua;
            this.sent = sent;
        }

        @Override
        public String toString() {
            return "write#" + id + (fua ? " FUA" : "") + " lba " + lba + "+" + sectors + " sent@" + sent
                    + (acknowledged == NOT_ACKNOWLEDGED ? " unacknowledged" : " acked@" + acknowledged);
        }
    }

    /** One flush command. */
    static final class Flush {
        final long sent;
        volatile long acknowledged = NOT_ACKNOWLEDGED;

        Flush(long sent) {
            this.sent = sent;
        }
    }

    /** A sector holding a version the model does not allow. */
    record Violation(long lba, long found, List<Long> allowed, String history) {
        @Override
        public String toString() {
            return "LBA " + lba + ": found " + describe(found) + ", allowed " + allowed + "; " + history;
        }

        private static String describe(long version) {
            return version == SectorStamp.FOREIGN ? "no stamp of this run for this LBA (torn, misplaced or stale)"
                    : version == SectorStamp.NEVER_WRITTEN ? "zeros (never written)" : "write#" + version;
        }
    }

    /**
     * What one check found.
     *
     * @param violations      sectors holding a version the model does not allow
     * @param durableSectors  sectors whose floor is a write of this cycle made durable (FUA or flush)
     * @param exactSectors    sectors that had to read back exactly one version (nothing sent after it)
     * @param lostUnflushed   sectors that lost an acknowledged, non-durable write (allowed)
     */
    record Outcome(List<Violation> violations, long durableSectors, long exactSectors, long lostUnflushed) {}

    private final long sectorCount;
    private long clock;
    private final List<Write> writes = new ArrayList<>();
    private final List<Flush> flushes = new ArrayList<>();

    AcknowledgedHistory(long sectorCount) {
        this.sectorCount = sectorCount;
    }

    /** The next logical time; readers of qemu-io output call it when they see a completion. */
    synchronized long tick() {
        return ++clock;
    }

    /** Records a write as sent (call before the command goes out). */
    synchronized Write sendWrite(long id, long lba, int sectors, boolean fua) {
        if (lba < 0 || sectors < 1 || lba + sectors > sectorCount) {
            throw new IllegalArgumentException("write of sectors " + lba + "+" + sectors
                    + " (expected: within 0.." + sectorCount + ")");
        }
        Write write = new Write(id, lba, sectors, fua, ++clock);
        writes.add(write);
        return write;
    }

    /** Records a flush as sent (call before the command goes out). */
    synchronized Flush sendFlush() {
        Flush flush = new Flush(++clock);
        flushes.add(flush);
        return flush;
    }

    /** Records an acknowledgement seen at logical time {@code at} (from {@link #tick}). */
    synchronized void acknowledged(Write write, long at) {
        write.acknowledged = at;
    }

    synchronized void acknowledged(Flush flush, long at) {
        flush.acknowledged = at;
    }

    synchronized int writesSent() {
        return writes.size();
    }

    synchronized long writesAcknowledged() {
        return writes.stream().filter(w -> w.acknowledged != NOT_ACKNOWLEDGED).count();
    }

    synchronized long flushesAcknowledged() {
        return flushes.stream().filter(f -> f.acknowledged != NOT_ACKNOWLEDGED).count();
    }

    synchronized boolean durable(Write write) {
        return write.acknowledged != NOT_ACKNOWLEDGED && (write.fua || write.acknowledged < lastAcknowledgedFlushSent());
    }

    /**
     * Checks every sector's version in {@code found} (from {@link SectorStamp#versionAt}) against
     * the model, {@code before} holding each sector's version when the cycle began.
     */
    synchronized Outcome check(long[] before, long[] found) {
        Map<Long, List<Write>> bySector = historyBySector();
        long flushLine = lastAcknowledgedFlushSent();
        List<Violation> violations = new ArrayList<>();
        long durableSectors = 0;
        long exactSectors = 0;
        long lostUnflushed = 0;
        for (long lba = 0; lba < sectorCount; lba++) {
            List<Write> history = bySector.getOrDefault(lba, List.of());
            int floor = -1;
            for (int i = 0; i < history.size(); i++) {
                Write w = history.get(i);
                if (w.acknowledged != NOT_ACKNOWLEDGED && (w.fua || w.acknowledged < flushLine)) {
                    floor = i;
                }
            }
            Set<Long> allowed = new LinkedHashSet<>();
            if (floor < 0) {
                allowed.add(before[(int) lba]);
            } else {
                durableSectors++;
            }
            for (int i = Math.max(floor, 0); i < history.size(); i++) {
                allowed.add(history.get(i).id);
            }
            long version = found[(int) lba];
            if (allowed.size() == 1) {
                exactSectors++;
            }
            if (!allowed.contains(version)) {
                violations.add(new Violation(lba, version, List.copyOf(allowed), describe(history, flushLine)));
            } else if (lostAcknowledged(history, version)) {
                lostUnflushed++;
            }
        }
        return new Outcome(violations, durableSectors, exactSectors, lostUnflushed);
    }

    /** Writes per sector in the order they were sent; sectors written concurrently would have no order. */
    private Map<Long, List<Write>> historyBySector() {
        Map<Long, List<Write>> bySector = new HashMap<>();
        for (Write w : writes) {
            for (long lba = w.lba; lba < w.lba + w.sectors; lba++) {
                List<Write> history = bySector.computeIfAbsent(lba, k -> new ArrayList<>());
                if (!history.isEmpty() && history.get(history.size() - 1).acknowledged > w.sent) {
                    throw new IllegalStateException("workload bug: " + w + " overlaps "
                            + history.get(history.size() - 1) + " still in flight when it was sent");
                }
                history.add(w);
            }
        }
        return bySector;
    }

    /** Whether the sector shows an older version than its newest acknowledged write (allowed when not durable). */
    private static boolean lostAcknowledged(List<Write> history, long version) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).acknowledged != NOT_ACKNOWLEDGED) {
                for (int j = i; j < history.size(); j++) {
                    if (history.get(j).id == version) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    private long lastAcknowledgedFlushSent() {
        long line = Long.MIN_VALUE;
        for (Flush f : flushes) {
            if (f.acknowledged != NOT_ACKNOWLEDGED) {
                line = Math.max(line, f.sent);
            }
        }
        return line;
    }

    private static String describe(List<Write> history, long flushLine) {
        StringBuilder text = new StringBuilder("last acknowledged flush sent@" + flushLine + "; history:");
        if (history.isEmpty()) {
            text.append(" none this cycle");
        }
        history.forEach(w -> text.append(' ').append(w).append(';'));
        return text.toString();
    }
}
