package io.tidemark.appliance.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One session of the crash workload: over its own sectors [first, first + count) it sends
 * stamped writes of assorted sizes and alignments (overlapping often, in a small hot zone),
 * some with FUA, and flushes every few writes, one command at a time, recording each in the
 * {@link AcknowledgedHistory} before it goes out and when it is acknowledged, until its
 * qemu-io is killed. Any failure reported while the appliance lived fails the test. Not
 * thread-safe: one thread runs it.
 */
final class CrashWriter implements Callable<Integer> {

    /** What the next command is, by weight out of {@link #STEP_WEIGHT_TOTAL}. */
    enum Step {
        WRITE(70), FUA_WRITE(12), FLUSH(18);

        final int weight;

        Step(int weight) {
            this.weight = weight;
        }
    }

    private static final int STEP_WEIGHT_TOTAL = 100;
    /** Write lengths in sectors: single sectors, odd runs, one and several 4 KiB pages, 64 KiB. */
    private static final int[] LENGTHS = {1, 3, 8, 8, 16, 40, 128};
    /** Sectors at the start of the region that get half the writes, so versions pile up. */
    private static final int HOT_SECTORS = 256;
    private static final int PAGE_SECTORS = 8;
    private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(60);
    private static final Pattern WROTE = Pattern.compile("wrote (\\d+)/(\\d+) bytes at offset (\\d+)\\n");

    private final LockstepQemuIo qemu;
    private final AcknowledgedHistory history;
    private final long firstSector;
    private final long sectorCount;
    private final SplittableRandom random;
    private final AtomicLong writeIds;
    private final long seed;
    private final Path patternFile;
    private final byte[] buffer = new byte[LENGTHS[LENGTHS.length - 1] * SectorStamp.SECTOR];

    CrashWriter(LockstepQemuIo qemu, AcknowledgedHistory history, long firstSector, long sectorCount,
                SplittableRandom random, AtomicLong writeIds, long seed, Path patternFile) {
        if (sectorCount < LENGTHS[LENGTHS.length - 1]) {
            throw new IllegalArgumentException("region of " + sectorCount + " sectors (expected: >= "
                    + LENGTHS[LENGTHS.length - 1] + ")");
        }
        this.qemu = qemu;
        this.history = history;
        this.firstSector = firstSector;
        this.sectorCount = sectorCount;
        this.random = random;
        this.writeIds = writeIds;
        this.seed = seed;
        this.patternFile = patternFile;
    }

    /** Runs until the process ends; returns how many commands were acknowledged. */
    @Override
    public Integer call() {
        int acknowledged = 0;
        for (;;) {
            boolean done = switch (nextStep()) {
                case WRITE -> write(false);
                case FUA_WRITE -> write(true);
                case FLUSH -> flush();
            };
            if (!done) {
                return acknowledged;
            }
            acknowledged++;
        }
    }

    private Step nextStep() {
        int pick = random.nextInt(STEP_WEIGHT_TOTAL);
        for (Step step : Step.values()) {
            pick -= step.weight;
            if (pick < 0) {
                return step;
            }
        }
        throw new IllegalStateException("step weights add up to less than " + STEP_WEIGHT_TOTAL);
    }

    /** Sends one stamped write; false when qemu-io ended before acknowledging it. */
    private boolean write(boolean fua) {
        int sectors = LENGTHS[random.nextInt(LENGTHS.length)];
        long span = random.nextBoolean() ? Math.min(HOT_SECTORS, sectorCount) : sectorCount;
        long offset = random.nextLong(span - sectors + 1);
        if (random.nextBoolean()) {
            offset -= offset % PAGE_SECTORS;
        }
        long lba = firstSector + offset;
        long id = writeIds.incrementAndGet();
        SectorStamp.fill(buffer, seed, id, lba, sectors);
        try {
            Files.write(patternFile, java.util.Arrays.copyOf(buffer, sectors * SectorStamp.SECTOR));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + patternFile, e);
        }
        long bytes = (long) sectors * SectorStamp.SECTOR;
        long byteOffset = lba * SectorStamp.SECTOR;
        AcknowledgedHistory.Write sent = history.sendWrite(id, lba, sectors, fua);
        String command = "write " + (fua ? "-f " : "") + "-s " + patternFile + " " + byteOffset + " " + bytes;
        LockstepQemuIo.Completion done = qemu.run(command, COMMAND_DEADLINE);
        if (done.ended()) {
            return false;
        }
        Matcher wrote = WROTE.matcher(done.output());
        if (!wrote.lookingAt() || Long.parseLong(wrote.group(1)) != bytes || Long.parseLong(wrote.group(2)) != bytes
                || Long.parseLong(wrote.group(3)) != byteOffset) {
            throw new AssertionError("'" + command + "' was not acknowledged as written by a live appliance"
                    + " (expected 'wrote " + bytes + "/" + bytes + " bytes at offset " + byteOffset + "'):\n"
                    + done.output());
        }
        history.acknowledged(sent, done.at());
        return true;
    }

    /** Sends one flush (SYNCHRONIZE CACHE); false when qemu-io ended before acknowledging it. */
    private boolean flush() {
        AcknowledgedHistory.Flush sent = history.sendFlush();
        LockstepQemuIo.Completion done = qemu.run("flush", COMMAND_DEADLINE);
        if (done.ended()) {
            return false;
        }
        if (!done.output().isBlank()) {
            throw new AssertionError("'flush' printed something from a live appliance (qemu-io prints"
                    + " nothing for a flush that succeeded):\n" + done.output());
        }
        history.acknowledged(sent, done.at());
        return true;
    }
}
