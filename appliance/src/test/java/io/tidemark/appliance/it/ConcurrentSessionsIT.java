package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.journal.OfflineReplay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3's concurrency acceptance: {@value #SESSIONS} qemu-io processes (so as many iSCSI
 * sessions) write stamped sectors ({@link SectorStamp}) to overlapping ranges of one hot zone
 * of a journaled volume, and read ranges of it in between. Asserted:
 * <ul>
 *   <li>every sector a read returns is zeros or a stamp some session sent for that LBA, and is
 *       not older than the newest write to it acknowledged before the read was sent
 *       (read-your-writes across sessions; "older" = acknowledged before that write was sent);</li>
 *   <li>at the end every session reads identical bytes, each sector holding a version no
 *       acknowledged write superseded;</li>
 *   <li>after SIGTERM (exit 0) the store file equals what the sessions read, the journal
 *       replayed offline ({@link JournalReplayCheck}) equals the store byte for byte, and it
 *       holds at least one record per acknowledged write.</li>
 * </ul>
 * The seed is printed at the start and named in every failure; rerun one with
 * {@code -Dtidemark.conc.seed=N}.
 */
@ExtendWith(ApplianceLogOnFailure.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConcurrentSessionsIT {

    private static final int SESSIONS = 4;
    private static final int COMMANDS_PER_SESSION = 60;
    private static final long VOLUME_BYTES = 4L << 20;
    private static final int SECTOR = SectorStamp.SECTOR;
    /** The hot zone all sessions write: 256 KiB starting at 1 MiB. */
    private static final long HOT_FIRST = (1L << 20) / SECTOR;
    private static final int HOT_SECTORS = (256 << 10) / SECTOR;
    /** Write lengths in sectors: single sectors, odd runs, pages, 32 KiB. */
    private static final int[] WRITE_LENGTHS = {1, 3, 8, 16, 40, 64};
    private static final int MAX_READ_SECTORS = 64;
    private static final int PAGE_SECTORS = 8;
    /** Percent of a session's commands that are writes; the rest are reads. */
    private static final int WRITE_PERCENT = 60;
    private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(60);
    private static final Duration WORKLOAD_DEADLINE = Duration.ofMinutes(2);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(20);
    private static final String CONFIG = "demo.volume.size = 0\n" + JournalReplayCheck.config();
    private static final Pattern WROTE = Pattern.compile("wrote (\\d+)/(\\d+) bytes at offset (\\d+)\\n");
    private static final Pattern READ = Pattern.compile("(?m)^read (\\d+)/(\\d+) bytes at offset (\\d+)$");
    /** One line of {@code read -v}: "%08x:  " then 16 hex bytes separated by spaces, then ASCII. */
    private static final Pattern DUMP_LINE = Pattern.compile("(?m)^([0-9a-f]{8}):  ((?:[0-9a-f]{2} ){15}[0-9a-f]{2})");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    private final long seed = Long.getLong("tidemark.conc.seed", new SplittableRandom().nextLong());
    private ExecutorService sessionThreads;

    @BeforeEach
    void startThreads() {
        sessionThreads = Executors.newFixedThreadPool(SESSIONS);
    }

    @AfterEach
    void stopThreads() throws InterruptedException {
        sessionThreads.shutdownNow();
        assertThat(sessionThreads.awaitTermination(30, TimeUnit.SECONDS)).as("session threads stopped").isTrue();
    }

    @Test
    void overlappingWritesFromFourSessionsAgreeInEveryReadTheStoreAndTheJournalReplay() throws IOException {
        String what = "seed " + seed + " (rerun: -Dtidemark.conc.seed=" + seed + ")";
        System.out.println("ConcurrentSessionsIT " + what);
        SplittableRandom random = new SplittableRandom(seed);
        Ledger ledger = new Ledger();
        AtomicLong writeIds = new AtomicLong();
        long start = System.nanoTime();
        try (ApplianceProcess appliance = ApplianceProcess.start(work.resolve("appliance"), CONFIG)) {
            Volume volume = appliance.api().createVolume("shared", VOLUME_BYTES);
            String url = uncachedLunUrl(appliance, volume);
            Optional<JournalReplayCheck.JournalLocation> journal = JournalReplayCheck.journalOf(appliance.api(),
                    volume.name());
            assertThat(journal).as("the volume's journal in the admin API (every LUN is journaled), %s", what)
                    .isPresent();

            List<LockstepQemuIo> sessions = new ArrayList<>();
            byte[][] finalReads = new byte[SESSIONS][];
            try {
                for (int s = 0; s < SESSIONS; s++) {
                    sessions.add(new LockstepQemuIo(url, work.resolve("session-" + s + ".log"), ledger::tick));
                }
                List<Future<Integer>> running = new ArrayList<>();
                for (int s = 0; s < SESSIONS; s++) {
                    running.add(sessionThreads.submit(new Session(sessions.get(s), ledger, random.split(), writeIds,
                            work.resolve("session-" + s + ".pattern"), what)));
                }
                int reads = 0;
                for (Future<Integer> session : running) {
                    reads += await(session, what);
                }
                for (int s = 0; s < SESSIONS; s++) {
                    finalReads[s] = readWholeVolume(sessions.get(s), what + ", session " + s);
                }
                System.out.printf("ConcurrentSessionsIT: %d writes acknowledged, %d reads checked in %d ms%n",
                        ledger.acknowledgedWrites(), reads, (System.nanoTime() - start) / 1_000_000);
            } finally {
                sessions.forEach(LockstepQemuIo::close);
            }

            for (int s = 1; s < SESSIONS; s++) {
                int at = Arrays.mismatch(finalReads[0], finalReads[s]);
                assertThat(at).as("first byte where session %d's read of the whole volume differs from session 0's"
                        + " (sector %d), %s", s, at / SECTOR, what).isEqualTo(-1);
            }
            byte[] seen = finalReads[0];
            List<String> stale = ledger.check(seen, 0, VOLUME_BYTES / SECTOR, Long.MAX_VALUE, Long.MAX_VALUE);
            assertThat(stale).as("sectors of the final read holding a version an acknowledged write superseded, %s",
                    what).isEmpty();

            assertThat(appliance.terminate(STOP_LIMIT)).as("exit status after SIGTERM, %s", what).contains(0);
            byte[] store = readStore(appliance, volume);
            int storeDiff = Arrays.mismatch(seen, store);
            assertThat(storeDiff).as("first byte where the store file differs from what the sessions read (sector %d),"
                    + " %s", storeDiff / SECTOR, what).isEqualTo(-1);

            Path replayed = work.resolve("journal-replay.img");
            OfflineReplay.Result result = JournalReplayCheck.replayInto(journal.get(), volume, replayed);
            byte[] replay = Files.readAllBytes(replayed);
            int replayDiff = Arrays.mismatch(store, replay);
            assertThat(replayDiff).as("first byte where the journal replayed in %s differs from the store (sector %d),"
                    + " %s", replayed, replayDiff / SECTOR, what).isEqualTo(-1);
            assertThat(result.invalid()).as("invalid journal records after a clean stop, %s", what).isZero();
            assertThat(result.records()).as("journal records vs acknowledged writes, %s", what)
                    .isGreaterThanOrEqualTo(ledger.acknowledgedWrites());
            Files.delete(replayed);
        }
        assertThat(ledger.acknowledgedWrites()).as("the workload wrote something (%s)", what).isPositive();
        assertThat((System.nanoTime() - start) / 1_000_000_000).as("seconds of work, %s", what).isLessThan(60);
    }

    /**
     * The LUN as a qemu json: filename with cache.direct on for the iSCSI node: with it off
     * (LockstepQemuIo's write-back mode) qemu's iSCSI driver keeps a per-process allocation map
     * and answers reads of ranges it once saw unallocated with zeros, without asking the
     * target, so another session's writes would be invisible to it.
     */
    private static String uncachedLunUrl(ApplianceProcess appliance, Volume volume) {
        return "json:{\"file\":{\"driver\":\"iscsi\",\"transport\":\"tcp\",\"portal\":\"" + appliance.portal()
                + "\",\"target\":\"" + volume.targetIqn(ApplianceProcess.IQN_PREFIX) + "\",\"lun\":" + volume.lun()
                + ",\"cache\":{\"direct\":true}}}";
    }

    /** Reads the whole volume: the hot zone dumped, the rest checked to be zeros by qemu-io itself. */
    private static byte[] readWholeVolume(LockstepQemuIo qemu, String what) {
        byte[] image = new byte[(int) VOLUME_BYTES];
        long hotStart = HOT_FIRST * SECTOR;
        long hotEnd = hotStart + (long) HOT_SECTORS * SECTOR;
        for (String zeros : List.of("read -P 0 0 " + hotStart, "read -P 0 " + hotEnd + " " + (VOLUME_BYTES - hotEnd))) {
            LockstepQemuIo.Completion done = qemu.run(zeros, COMMAND_DEADLINE);
            assertThat(done.output()).as("'%s' (nothing is written outside the hot zone), %s", zeros, what)
                    .startsWith("read ").doesNotContain("Pattern verification failed");
        }
        byte[] hot = dump(qemu, hotStart, HOT_SECTORS * SECTOR, what);
        System.arraycopy(hot, 0, image, (int) hotStart, hot.length);
        return image;
    }

    /** The bytes {@code read -v} prints for [offset, offset + length). */
    private static byte[] dump(LockstepQemuIo qemu, long offset, int length, String what) {
        String command = "read -v " + offset + " " + length;
        LockstepQemuIo.Completion done = qemu.run(command, COMMAND_DEADLINE);
        String output = done.output();
        Matcher read = READ.matcher(output);
        if (done.ended() || !read.find() || Long.parseLong(read.group(1)) != length
                || Long.parseLong(read.group(3)) != offset) {
            throw new AssertionError("'" + command + "' did not read " + length + " bytes, " + what + ":\n"
                    + ToolRun.tail(output, 20));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(length);
        Matcher line = DUMP_LINE.matcher(output);
        while (line.find()) {
            if (Long.parseLong(line.group(1), 16) != offset + bytes.size()) {
                throw new AssertionError("'" + command + "' dumped offset " + line.group(1) + " where "
                        + Long.toHexString(offset + bytes.size()) + " was due, " + what);
            }
            bytes.writeBytes(HexFormat.ofDelimiter(" ").parseHex(line.group(2)));
        }
        assertThat(bytes.size()).as("bytes dumped by '%s', %s", command, what).isEqualTo(length);
        return bytes.toByteArray();
    }

    private static byte[] readStore(ApplianceProcess appliance, Volume volume) throws IOException {
        Path path = Path.of(volume.path());
        byte[] store = Files.readAllBytes(path.isAbsolute() ? path : appliance.dataDir().resolve(path));
        return Arrays.copyOf(store, (int) VOLUME_BYTES);
    }

    private static int await(Future<Integer> future, String what) {
        try {
            return future.get(WORKLOAD_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError failed) {
                throw failed;
            }
            throw new AssertionError("a session failed, " + what, e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("a session did not finish within " + WORKLOAD_DEADLINE.toSeconds() + " s, "
                    + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One write as the initiators saw it: sent and acknowledged at logical times. */
    private static final class Write {
        final long id;
        final long lba;
        final int sectors;
        final long sent;
        volatile long acknowledged = Long.MAX_VALUE;

        Write(long id, long lba, int sectors, long sent) {
            this.id = id;
            this.lba = lba;
            this.sectors = sectors;
            this.sent = sent;
        }

        boolean covers(long sector) {
            return sector >= lba && sector < lba + sectors;
        }

        @Override
        public String toString() {
            return "write#" + id + " lba " + lba + "+" + sectors + " sent@" + sent
                    + (acknowledged == Long.MAX_VALUE ? " unacknowledged" : " acked@" + acknowledged);
        }
    }

    /**
     * Every write the sessions sent, on one logical clock, and the rule for what a read may
     * return: write W is superseded for a sector once some write X to it was acknowledged
     * before the read was sent and W was acknowledged before X was sent (so W is ordered
     * before X). Thread-safe.
     */
    private final class Ledger {
        private long clock;
        private final List<Write> writes = new ArrayList<>();

        synchronized long tick() {
            return ++clock;
        }

        synchronized Write send(long id, long lba, int sectors) {
            Write write = new Write(id, lba, sectors, ++clock);
            writes.add(write);
            return write;
        }

        synchronized long acknowledgedWrites() {
            return writes.stream().filter(w -> w.acknowledged != Long.MAX_VALUE).count();
        }

        /**
         * Violations in {@code data}, sectors [first, first + count), of a read sent at
         * {@code sent} and completed at {@code completed}.
         */
        synchronized List<String> check(byte[] data, long first, long count, long sent, long completed) {
            List<String> violations = new ArrayList<>();
            byte[] sector = new byte[SECTOR];
            for (long lba = first; lba < first + count; lba++) {
                int at = (int) ((lba - first) * SECTOR);
                long version = versionAt(data, at, lba, sector);
                long finalLba = lba;
                List<Write> covering = writes.stream().filter(w -> w.covers(finalLba) && w.sent < completed).toList();
                List<Write> floor = covering.stream().filter(w -> w.acknowledged < sent).toList();
                String problem;
                if (version == SectorStamp.FOREIGN) {
                    problem = "no stamp of this run for this LBA";
                } else if (version == SectorStamp.NEVER_WRITTEN) {
                    problem = floor.isEmpty() ? null : "zeros although " + floor + " was acknowledged before the read";
                } else {
                    Optional<Write> found = covering.stream().filter(w -> w.id == version).findFirst();
                    problem = found.isEmpty() ? "write#" + version + ", which was not sent before the read completed"
                            : floor.stream().filter(x -> found.get().acknowledged < x.sent).findFirst()
                                    .map(x -> found.get() + ", superseded by " + x + " acknowledged before the read")
                                    .orElse(null);
                }
                if (problem != null) {
                    violations.add("LBA " + lba + ": " + problem + " (read sent@" + sent + ", completed@" + completed
                            + "; writes to it: " + covering + ")");
                }
            }
            return violations;
        }

        /** Like {@link SectorStamp#versionAt}, for a sector at {@code at} of a buffer that starts elsewhere than LBA 0. */
        private long versionAt(byte[] data, int at, long lba, byte[] expected) {
            long id = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .getLong(at + SectorStamp.WRITE_ID_OFFSET);
            if (id > SectorStamp.NEVER_WRITTEN) {
                SectorStamp.fill(expected, seed, id, lba, 1);
                if (Arrays.equals(data, at, at + SECTOR, expected, 0, SECTOR)) {
                    return id;
                }
            }
            for (int i = at; i < at + SECTOR; i++) {
                if (data[i] != 0) {
                    return SectorStamp.FOREIGN;
                }
            }
            return SectorStamp.NEVER_WRITTEN;
        }
    }

    /**
     * One session's workload: stamped writes and dumped reads at random places in the hot zone,
     * one command at a time, each read checked against the {@link Ledger} as it comes back.
     * Not thread-safe: one thread runs it.
     */
    private final class Session implements java.util.concurrent.Callable<Integer> {
        private final LockstepQemuIo qemu;
        private final Ledger ledger;
        private final SplittableRandom random;
        private final AtomicLong writeIds;
        private final Path patternFile;
        private final String what;
        private final byte[] buffer = new byte[WRITE_LENGTHS[WRITE_LENGTHS.length - 1] * SECTOR];

        Session(LockstepQemuIo qemu, Ledger ledger, SplittableRandom random, AtomicLong writeIds, Path patternFile,
                String what) {
            this.qemu = qemu;
            this.ledger = ledger;
            this.random = random;
            this.writeIds = writeIds;
            this.patternFile = patternFile;
            this.what = what + ", qemu-io pid " + qemu.pid();
        }

        /** Runs the workload; returns how many reads it checked. */
        @Override
        public Integer call() throws IOException {
            int reads = 0;
            for (int i = 0; i < COMMANDS_PER_SESSION; i++) {
                if (random.nextInt(100) < WRITE_PERCENT) {
                    write();
                } else {
                    read();
                    reads++;
                }
            }
            return reads;
        }

        private void write() throws IOException {
            int sectors = WRITE_LENGTHS[random.nextInt(WRITE_LENGTHS.length)];
            long lba = HOT_FIRST + place(sectors);
            long id = writeIds.incrementAndGet();
            SectorStamp.fill(buffer, seed, id, lba, sectors);
            Files.write(patternFile, Arrays.copyOf(buffer, sectors * SECTOR));
            long bytes = (long) sectors * SECTOR;
            String command = "write -s " + patternFile + " " + lba * SECTOR + " " + bytes;
            Write sent = ledger.send(id, lba, sectors);
            LockstepQemuIo.Completion done = qemu.run(command, COMMAND_DEADLINE);
            Matcher wrote = WROTE.matcher(done.output());
            if (done.ended() || !wrote.lookingAt() || Long.parseLong(wrote.group(1)) != bytes
                    || Long.parseLong(wrote.group(3)) != lba * SECTOR) {
                throw new AssertionError("'" + command + "' was not acknowledged as written, " + what + ":\n"
                        + done.output());
            }
            sent.acknowledged = done.at();
        }

        private void read() {
            int sectors = 1 + random.nextInt(MAX_READ_SECTORS);
            long lba = HOT_FIRST + place(sectors);
            long sent = ledger.tick();
            byte[] data = dump(qemu, lba * SECTOR, sectors * SECTOR, what);
            long completed = ledger.tick();
            List<String> violations = ledger.check(data, lba, sectors, sent, completed);
            assertThat(violations).as("sectors of 'read %d+%d' that no write allows there, %s", lba, sectors, what)
                    .isEmpty();
        }

        /** A start sector within the hot zone for a run of {@code sectors}, page-aligned half the time. */
        private long place(int sectors) {
            long offset = random.nextLong(HOT_SECTORS - sectors + 1);
            return random.nextBoolean() ? offset - offset % PAGE_SECTORS : offset;
        }
    }
}
