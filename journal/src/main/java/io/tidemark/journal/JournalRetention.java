package io.tidemark.journal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trims a group's journal a whole cycle file at a time, oldest first, never the current one.
 * A cycle goes when every record in it is at or below the lowest sequence still needed (the
 * stores' checkpoint and every registered consumer's acknowledgement) and it ended longer than
 * the retention window ago.
 *
 * <p>Size cap: while the cycle files add up to more than the cap, older cycles go even if a
 * consumer has not acknowledged them or the window still covers them, but never past the
 * stores' checkpoint (those records are the only copy of writes the store may not hold
 * durably). The volume keeps serving; each cycle given up is logged in one line naming the
 * sequences and the consumers that lose them, counted in {@code tidemark.journal.retention.forced.*},
 * and those consumers are marked overrun (the shipper must resync). When nothing more can go
 * (only the current cycle, or the store not yet checkpointed) the journal stays over its cap
 * and that is logged once. Not thread-safe: runs on the group's maintenance thread.
 */
final class JournalRetention {

    private static final Logger LOG = LoggerFactory.getLogger(JournalRetention.class);
    static final String CYCLE_SUFFIX = ".cq4";

    private final String group;
    private final SingleChronicleQueue queue;
    private final Path directory;
    private final long retentionMillis;
    private final long sizeCap;
    private final Clock clock;
    private final JournalMetrics metrics;
    private volatile long diskBytes;
    private volatile int cycles;
    private boolean overCapLogged;

    JournalRetention(String group, SingleChronicleQueue queue, Path directory, Duration retention, long sizeCap,
                     Clock clock, JournalMetrics metrics) {
        this.group = group;
        this.queue = queue;
        this.directory = directory;
        this.retentionMillis = retention.toMillis();
        this.sizeCap = sizeCap;
        this.clock = clock;
        this.metrics = metrics;
    }

    long diskBytes() {
        return diskBytes;
    }

    int cycles() {
        return cycles;
    }

    /** Deletes what may go; {@code checkpointed}: the stores hold every record up to it durably. */
    void run(long checkpointed, Collection<ConsumerPosition> consumers) throws IOException {
        long total = measure();
        int first = queue.firstCycle();
        int last = queue.lastCycle();
        if (first == Integer.MAX_VALUE || first >= last) {
            logOverCap(total, "only the current cycle file is left");
            return;
        }
        List<Long> list = new ArrayList<>(queue.listCyclesBetween(first, last));
        long lowestConsumer = Long.MAX_VALUE;
        for (ConsumerPosition c : consumers) {
            lowestConsumer = Math.min(lowestConsumer, c.acknowledged());
        }
        long needed = Math.min(checkpointed, lowestConsumer);
        RollCycle roll = queue.rollCycle();
        boolean deleted = false;
        for (int i = 0; i + 1 < list.size(); i++) {
            int cycle = list.get(i).intValue();
            long lastInCycle = firstSequenceOf(list.get(i + 1).intValue(), roll) - 1;
            if (lastInCycle < 0) {
                break;
            }
            boolean oldEnough = retentionMillis == 0
                    || (long) (cycle + 1) * roll.lengthInMillis() + queue.epoch() < clock.millis() - retentionMillis;
            File file = fileOf(cycle);
            if (file == null) {
                continue;
            }
            long size = usedBytes(cycle);
            if (lastInCycle <= needed && oldEnough) {
                delete(file);
                total -= size;
                deleted = true;
            } else if (sizeCap > 0 && total > sizeCap && lastInCycle <= checkpointed) {
                giveUp(file, lastInCycle, consumers, total);
                delete(file);
                total -= size;
                deleted = true;
            } else {
                break;
            }
        }
        if (deleted) {
            queue.refreshDirectoryListing();
        }
        diskBytes = Math.max(0, total);
        if (sizeCap > 0 && total > sizeCap) {
            logOverCap(total, "the oldest cycle holds records the stores have not checkpointed");
        } else {
            overCapLogged = false;
        }
    }

    private void giveUp(File file, long lastInCycle, Collection<ConsumerPosition> consumers, long total) {
        List<String> losers = new ArrayList<>();
        long lost = 0;
        for (ConsumerPosition c : consumers) {
            if (c.acknowledged() < lastInCycle) {
                losers.add(c.name() + " (acknowledged " + c.acknowledged() + ")");
                lost = Math.max(lost, lastInCycle - c.acknowledged());
                c.overrun(lastInCycle);
            }
        }
        metrics.forcedTrim(lost);
        LOG.warn("group {}: journal is {} bytes, over its cap of {}; deleting cycle {} (records up to seq {}), "
                + "given up for {}", group, total, sizeCap, file.getName(), lastInCycle,
                losers.isEmpty() ? "the retention window only" : String.join(", ", losers) + ", which must resync");
    }

    private void logOverCap(long total, String why) {
        if (sizeCap > 0 && total > sizeCap && !overCapLogged) {
            overCapLogged = true;
            LOG.warn("group {}: journal is {} bytes, over its cap of {}, and cannot shrink now: {}; the volume keeps serving",
                    group, total, sizeCap, why);
        }
    }

    /** Sequence of the first record of {@code cycle}, or 0 when it cannot be read (then nothing before it goes). */
    private long firstSequenceOf(int cycle, RollCycle roll) {
        try (JournalReader reader = new JournalReader(queue)) {
            if (!reader.moveTo(roll.toIndex(cycle, 0))) {
                return 0;
            }
            return reader.next() == JournalReader.Step.RECORD ? reader.record().sequence() : 0;
        }
    }

    private File fileOf(int cycle) {
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            return null;
        }
        try {
            return store.file();
        } finally {
            queue.closeStore(store);
        }
    }

    private void delete(File file) throws IOException {
        try {
            Files.delete(file.toPath());
            LOG.info("group {}: trimmed journal cycle file {}", group, file.getName());
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    /**
     * Bytes the cycle files hold: for each, up to the end of its last document. Their apparent
     * sizes are far larger (Chronicle maps 256 MiB blocks so that one 32 MiB record fits),
     * and those holes take no disk space.
     */
    long measure() {
        long total = 0;
        int count = 0;
        int first = queue.firstCycle();
        int last = queue.lastCycle();
        if (first != Integer.MAX_VALUE && last != Integer.MIN_VALUE) {
            for (Long cycle : queue.listCyclesBetween(first, last)) {
                total += usedBytes(cycle.intValue());
                count++;
            }
        }
        diskBytes = total;
        cycles = count;
        return total;
    }

    private long usedBytes(int cycle) {
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            return 0;
        }
        net.openhft.chronicle.bytes.MappedBytes bytes = store.bytes();
        try {
            long position = store.writePosition();
            return position + 4 + (bytes.readVolatileInt(position) & 0x3FFFFFFF);
        } finally {
            bytes.releaseLast();
            queue.closeStore(store);
        }
    }
}
