package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.journal.OfflineReplay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3's crash test: a real appliance process, written to by {@value #SESSIONS} qemu-io
 * sessions (write-back cache, one command at a time each, stamped writes of 1 to 128 sectors
 * that overlap often, some with FUA, a flush every few writes), is killed with SIGKILL at a
 * random moment, restarted on the same data dir, and read back whole through iSCSI, at least
 * {@value #MIN_CYCLES} times in a row.
 *
 * <p>What each cycle asserts (model in {@link AcknowledgedHistory}, built only from what the
 * initiators were told):
 * <ul>
 *   <li>every sector covered by a write acknowledged before the last acknowledged flush, or
 *       acknowledged with FUA, reads back with the newest such version, or with a version sent
 *       after it (acknowledged or in flight at the kill: those may or may not survive), and
 *       nothing else: not an older version, not zeros, not a sector of another LBA or of two
 *       writes ({@link SectorStamp} makes every sector's version and place checkable);</li>
 *   <li>sectors no durable write of the cycle covers hold what they held when it began or a
 *       version sent since;</li>
 *   <li>no write or flush fails while the appliance lives (the sessions are frozen with SIGSTOP
 *       before the kill, so every completion they printed came from a live appliance);</li>
 *   <li>when the admin API reports a journal for the volume: the volume read back equals a
 *       replay of the whole journal, made while the appliance was down
 *       ({@link JournalReplayCheck}); when it reports none, no journal file may exist either,
 *       and the output says the replay was not checked.</li>
 * </ul>
 * Against an appliance without journal (O_DIRECT file store, flush = fdatasync) this checks
 * that acknowledged data reaches the store before status and that nothing lands misplaced or
 * torn within a sector; against a journaled one it also checks the recovery of the journal tail.
 *
 * <p>The seed is printed at the start and in every failure; rerun one with
 * {@code -Dtidemark.crash.seed=N}; {@code -Dtidemark.crash.cycles=N} runs more cycles.
 */
@ExtendWith(ApplianceLogOnFailure.class)
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class CrashIT {

    static final int MIN_CYCLES = 20;
    static final int SESSIONS = 2;
    private static final int CYCLES = Math.max(MIN_CYCLES, Integer.getInteger("tidemark.crash.cycles", MIN_CYCLES));
    private static final long VOLUME_BYTES = 8L << 20;
    private static final long SECTORS = VOLUME_BYTES / SectorStamp.SECTOR;
    /** Kill moments, after the sessions start writing: from almost at once to well into the workload. */
    private static final long KILL_AFTER_MIN_MICROS = 20_000;
    private static final long KILL_AFTER_MAX_MICROS = 1_200_000;
    private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(60);
    private static final Duration CRASH_DEADLINE = Duration.ofMinutes(2);
    private static final Duration READ_BACK_DEADLINE = Duration.ofMinutes(2);
    private static final int VIOLATIONS_SHOWN = 20;
    /** One volume only (no demo volume), so the data dir holds just what the test writes; a journal kept whole. */
    private static final String CONFIG = "demo.volume.size = 0\n" + JournalReplayCheck.config();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    private final long seed = Long.getLong("tidemark.crash.seed", new SplittableRandom().nextLong());
    private ExecutorService writers;
    private ScheduledExecutorService killer;

    @BeforeEach
    void startThreads() {
        writers = Executors.newFixedThreadPool(SESSIONS);
        killer = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stopThreads() throws InterruptedException {
        writers.shutdownNow();
        killer.shutdownNow();
        assertThat(writers.awaitTermination(30, TimeUnit.SECONDS) && killer.awaitTermination(30, TimeUnit.SECONDS))
                .as("crash test threads stopped").isTrue();
    }

    @Test
    void everyWriteAcknowledgedBeforeTheLastAcknowledgedFlushReadsBackAfterEachOfTwentyKillDashNines()
            throws IOException {
        System.out.println("CrashIT seed " + seed + " (rerun: -Dtidemark.crash.seed=" + seed + "), " + CYCLES + " cycles");
        SplittableRandom random = new SplittableRandom(seed);
        AtomicLong writeIds = new AtomicLong();
        long[] before = new long[(int) SECTORS];
        Totals totals = new Totals();
        long start = System.nanoTime();
        try (ApplianceProcess appliance = ApplianceProcess.start(work.resolve("appliance"), CONFIG)) {
            Volume volume = appliance.api().createVolume("crash", VOLUME_BYTES);
            String url = appliance.lunUrl(volume);
            Optional<JournalReplayCheck.JournalLocation> journal = JournalReplayCheck.journalOf(appliance.api(), volume.name());
            System.out.println("CrashIT journal replay check: " + journal.map(j -> "on, " + j)
                    .orElse("off (the appliance reports no journal for the volume)"));
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                Path dir = Files.createDirectories(work.resolve(String.format("cycle-%02d", cycle)));
                long killAfter = KILL_AFTER_MIN_MICROS + random.nextLong(KILL_AFTER_MAX_MICROS - KILL_AFTER_MIN_MICROS);
                AcknowledgedHistory history = new AcknowledgedHistory(SECTORS);
                runUntilKilled(appliance, url, dir, history, random, writeIds, killAfter);

                Optional<JournalReplay> replay = replayJournal(journal, appliance, volume, dir);
                long restartStart = System.nanoTime();
                appliance.restart();
                long restartMillis = (System.nanoTime() - restartStart) / 1_000_000;
                byte[] image = readBack(url, dir);
                long[] found = new long[(int) SECTORS];
                for (int lba = 0; lba < SECTORS; lba++) {
                    found[lba] = SectorStamp.versionAt(image, lba, seed);
                }

                AcknowledgedHistory.Outcome outcome = history.check(before, found);
                String what = "seed " + seed + ", cycle " + cycle + " (kill " + killAfter / 1000 + " ms after the"
                        + " writers started; " + history.writesAcknowledged() + "/" + history.writesSent()
                        + " writes and " + history.flushesAcknowledged() + " flushes acknowledged; qemu-io transcripts"
                        + " in " + dir + ")";
                assertThat(outcome.violations()).as("sectors holding a version the acknowledged writes rule out, %s:\n%s",
                        what, describe(outcome.violations(), image)).isEmpty();
                long acknowledgedSoFar = totals.writes + history.writesAcknowledged();
                replay.ifPresent(replayed -> assertStoreEqualsJournalReplay(image, replayed, acknowledgedSoFar, what));
                System.out.printf("CrashIT cycle %2d: kill after %4d ms, writes %4d sent %4d acked, flushes %3d acked,"
                                + " sectors durable %5d exact %5d lost-unflushed %4d, restart %5d ms, journal %s%n",
                        cycle, killAfter / 1000, history.writesSent(), history.writesAcknowledged(),
                        history.flushesAcknowledged(), outcome.durableSectors(), outcome.exactSectors(),
                        outcome.lostUnflushed(), restartMillis,
                        replay.map(r -> r.result().records() + " records, " + r.result().invalid() + " invalid")
                                .orElse("not checked"));
                totals.add(history, outcome);
                before = found;
            }
        }
        System.out.printf("CrashIT: %d cycles in %d s; %s%n", CYCLES, (System.nanoTime() - start) / 1_000_000_000, totals);
        // the run must have exercised durability, or it proved nothing
        assertThat(totals.flushes).as("flushes acknowledged in the workload (seed %d)", seed).isPositive();
        assertThat(totals.durableSectors).as("sectors checked against a durable write (seed %d)", seed).isPositive();
    }

    /**
     * Opens the sessions, makes the cycle's starting state durable with one flush, then lets the
     * writers run until the kill: sessions frozen (SIGSTOP), appliance SIGKILLed, sessions killed.
     */
    private void runUntilKilled(ApplianceProcess appliance, String url, Path dir, AcknowledgedHistory history,
                                SplittableRandom random, AtomicLong writeIds, long killAfterMicros) {
        List<LockstepQemuIo> sessions = new ArrayList<>();
        try {
            for (int s = 0; s < SESSIONS; s++) {
                sessions.add(new LockstepQemuIo(url, dir.resolve("session-" + s + ".log"), history::tick));
            }
            AcknowledgedHistory.Flush opening = history.sendFlush();
            LockstepQemuIo.Completion flushed = sessions.get(0).run("flush", COMMAND_DEADLINE);
            assertThat(flushed.ended() || !flushed.output().isBlank()).as("opening flush: %s", flushed.output()).isFalse();
            history.acknowledged(opening, flushed.at());

            long region = SECTORS / SESSIONS;
            List<Future<Integer>> running = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s++) {
                running.add(writers.submit(new CrashWriter(sessions.get(s), history, s * region, region,
                        random.split(), writeIds, seed, dir.resolve("session-" + s + ".pattern"))));
            }
            Future<?> crash = killer.schedule(() -> {
                LockstepQemuIo.freeze(sessions);
                appliance.kill();
                sessions.forEach(LockstepQemuIo::kill);
            }, killAfterMicros, TimeUnit.MICROSECONDS);
            await(crash, "the kill");
            for (Future<Integer> writer : running) {
                await(writer, "a writer");
            }
        } finally {
            sessions.forEach(LockstepQemuIo::close);
        }
    }

    /** A journal replayed into {@code image}. */
    private record JournalReplay(Path image, OfflineReplay.Result result) {}

    /** The journal replayed into an image while the appliance is down, when the appliance journals. */
    private static Optional<JournalReplay> replayJournal(Optional<JournalReplayCheck.JournalLocation> journal,
                                                ApplianceProcess appliance, Volume volume, Path dir) throws IOException {
        if (journal.isEmpty()) {
            JournalReplayCheck.assertNoJournalIn(appliance.dataDir());
            return Optional.empty();
        }
        Path image = dir.resolve("journal-replay.img");
        return Optional.of(new JournalReplay(image, JournalReplayCheck.replayInto(journal.get(), volume, image)));
    }

    /**
     * "The store equals a replay of the journal": the volume read back, byte for byte; and the
     * journal holds a record for at least every write acknowledged so far (one record per write).
     */
    private static void assertStoreEqualsJournalReplay(byte[] image, JournalReplay replayed, long acknowledged,
                                                       String what) {
        assertThat(replayed.result().records()).as("valid journal records vs writes acknowledged in all cycles, %s",
                what).isGreaterThanOrEqualTo(acknowledged);
        try {
            byte[] replay = Files.readAllBytes(replayed.image());
            int at = Arrays.mismatch(image, replay);
            assertThat(at).as("first byte where the volume read back differs from the journal replayed in %s"
                    + " (sector %d), %s", replayed.image(), at / SectorStamp.SECTOR, what).isEqualTo(-1);
            Files.delete(replayed.image());
        } catch (IOException e) {
            throw new AssertionError("reading " + replayed.image(), e);
        }
    }

    private byte[] readBack(String url, Path dir) throws IOException {
        Path copy = dir.resolve("read-back.img");
        ToolRun run = ExternalTool.QEMU_IMG.run(dir, READ_BACK_DEADLINE, "convert", "-f", "raw", "-O", "raw", url,
                copy.toString());
        assertThat(run.succeeded()).as("read back after restart (seed %d): %s", seed, run.describe()).isTrue();
        byte[] image = Files.readAllBytes(copy);
        Files.delete(copy);
        assertThat(image.length).as("bytes read back from %s", url).isEqualTo(VOLUME_BYTES);
        return image;
    }

    private static void await(Future<?> future, String what) {
        try {
            future.get(CRASH_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError failed) {
                throw failed;
            }
            throw new AssertionError(what + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not finish within " + CRASH_DEADLINE.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String describe(List<AcknowledgedHistory.Violation> violations, byte[] image) {
        StringBuilder text = new StringBuilder(violations.size() + " sectors");
        violations.stream().limit(VIOLATIONS_SHOWN).forEach(v -> text.append("\n  ").append(v)
                .append("\n    read back: ").append(SectorStamp.head(image, v.lba())).append("..."));
        if (violations.size() > VIOLATIONS_SHOWN) {
            text.append("\n  [... ").append(violations.size() - VIOLATIONS_SHOWN).append(" more]");
        }
        return text.toString();
    }

    /** Sums over the cycles, for the closing line and the closing assertions. Not thread-safe. */
    private static final class Totals {
        long writes;
        long flushes;
        long durableSectors;
        long lostUnflushed;

        void add(AcknowledgedHistory history, AcknowledgedHistory.Outcome outcome) {
            writes += history.writesAcknowledged();
            // the cycle's opening flush is the test's, not the workload's
            flushes += history.flushesAcknowledged() - 1;
            durableSectors += outcome.durableSectors();
            lostUnflushed += outcome.lostUnflushed();
        }

        @Override
        public String toString() {
            return writes + " writes and " + flushes + " flushes acknowledged, " + durableSectors
                    + " sector checks against a durable write, " + lostUnflushed + " unflushed sector versions lost";
        }
    }
}
