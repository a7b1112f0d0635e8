package io.tidemark.journal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one consistency group (its journal directory and knobs). The appliance maps
 * its {@code journal.*} config keys onto these; {@link #defaults} holds the embedded defaults.
 *
 * @param name            group name, used in logs and as the {@code group} metric tag
 * @param groupId         numeric id written in every record
 * @param epoch           the primary epoch this process writes with (recovery keeps the highest seen)
 * @param directory       where the Chronicle cycle files and the checkpoint live (created if absent)
 * @param ringSize        ring slots, a power of two (journal.ring-size, default 1024)
 * @param durability      write-back or write-through (journal.durability, default WRITE_BACK)
 * @param syncInterval    write-back: longest time an appended record stays not durable
 *                        (journal.sync-interval, default 1s; zero: only FUA/flush sync)
 * @param checkpointInterval how often the stores are flushed and the applied sequence persisted
 *                        (journal.checkpoint-interval, default 5s); bounds replay after a crash
 * @param rollPeriod      length of one cycle file (journal.roll-period, default 1h; see {@link RollPeriods})
 * @param retention       keep records at least this long even when no consumer needs them
 *                        (journal.retention, default 0)
 * @param sizeCap         journal bytes on disk above which retention gives up records consumers still
 *                        want (journal.size-cap, default 0: no cap); see {@link JournalRetention}
 * @param waitStrategy    how ring threads wait (journal.wait-strategy, default BACKOFF)
 * @param clock           wall clock for record timestamps and cycle rolling (tests move it)
 */
public record GroupConfig(String name, int groupId, long epoch, Path directory, int ringSize,
                          DurabilityMode durability, Duration syncInterval, Duration checkpointInterval,
                          Duration rollPeriod, Duration retention, long sizeCap, WaitStrategyKind waitStrategy,
                          Clock clock) {

    public static final int DEFAULT_RING_SIZE = 1024;
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_ROLL_PERIOD = Duration.ofHours(1);

    public GroupConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(directory, "directory");
        if (ringSize < 2 || ringSize > (1 << 20) || Integer.bitCount(ringSize) != 1) {
            throw new IllegalArgumentException("ring size of group " + name + ": " + ringSize
                    + " (expected: a power of two in 2..1048576)");
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch of group " + name + ": " + epoch + " (expected: >= 0)");
        }
        requireNotNegative(name, "sync interval", syncInterval);
        requireNotNegative(name, "retention", retention);
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("checkpoint interval of group " + name + ": " + checkpointInterval
                    + " (expected: > 0)");
        }
        RollPeriods.forPeriod(rollPeriod);
        if (sizeCap < 0) {
            throw new IllegalArgumentException("size cap of group " + name + ": " + sizeCap + " (expected: >= 0, 0 = none)");
        }
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(waitStrategy, "waitStrategy");
        Objects.requireNonNull(clock, "clock");
    }

    /** The embedded defaults for a group of one volume. */
    public static GroupConfig defaults(String name, int groupId, Path directory) {
        return new GroupConfig(name, groupId, 1, directory, DEFAULT_RING_SIZE, DurabilityMode.WRITE_BACK,
                DEFAULT_SYNC_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL, DEFAULT_ROLL_PERIOD, Duration.ZERO, 0,
                WaitStrategyKind.BACKOFF, Clock.systemUTC());
    }

    public GroupConfig withDurability(DurabilityMode mode) {
        return new GroupConfig(name, groupId, epoch, directory, ringSize, mode, syncInterval, checkpointInterval,
                rollPeriod, retention, sizeCap, waitStrategy, clock);
    }

    public GroupConfig withSyncInterval(Duration interval) {
        return new GroupConfig(name, groupId, epoch, directory, ringSize, durability, interval, checkpointInterval,
                rollPeriod, retention, sizeCap, waitStrategy, clock);
    }

    public GroupConfig withCheckpointInterval(Duration interval) {
        return new GroupConfig(name, groupId, epoch, directory, ringSize, durability, syncInterval, interval,
                rollPeriod, retention, sizeCap, waitStrategy, clock);
    }

    public GroupConfig withRetention(Duration rollPeriod, Duration retention, long sizeCap) {
        return new GroupConfig(name, groupId, epoch, directory, ringSize, durability, syncInterval, checkpointInterval,
                rollPeriod, retention, sizeCap, waitStrategy, clock);
    }

    public GroupConfig withRing(int ringSize, WaitStrategyKind waitStrategy) {
        return new GroupConfig(name, groupId, epoch, directory, ringSize, durability, syncInterval, checkpointInterval,
                rollPeriod, retention, sizeCap, waitStrategy, clock);
    }

    /** These settings, in the directory (and with the name and ids) of {@code other}. */
    public GroupConfig withDirectoryOf(GroupConfig other) {
        return new GroupConfig(other.name, other.groupId, epoch, other.directory, ringSize, durability, syncInterval,
                checkpointInterval, rollPeriod, retention, sizeCap, waitStrategy, clock);
    }

    public GroupConfig withClock(Clock clock) {
        return new GroupConfig(name, groupId, epoch, directory, ringSize, durability, syncInterval, checkpointInterval,
                rollPeriod, retention, sizeCap, waitStrategy, clock);
    }

    private static void requireNotNegative(String group, String what, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(what + " of group " + group + ": " + value + " (expected: >= 0)");
        }
    }
}
