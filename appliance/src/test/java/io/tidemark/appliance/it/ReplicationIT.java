package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's acceptance: a primary appliance replicating consistency groups to two DR
 * appliances, all real processes on loopback with their own data dirs and ports, driven only
 * through the admin API, the CLI and QEMU's iSCSI initiator. The link to the main DR runs
 * through a {@link FaultProxy} (the primary pairs with the proxy's address), so the tests can
 * cut, stall and corrupt it; the second DR keeps a 3-second window for the retention test.
 *
 * <p>What is checked against an independent {@link GroupModel} (built from what the initiators
 * were told, in acknowledgement order): write-order fidelity across two volumes at every named
 * checkpoint, at random sequences and at automatic points; initial sync of data written before
 * protection; no gap and no duplicate after a DR kill, link cuts and stalls; a flipped byte in
 * flight rejected with nothing of it applied; an unpinned certificate and a used token refused;
 * a pinned view exact while the window's base advances.
 */
@ExtendWith(ApplianceLogOnFailure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ReplicationIT {

    private static final long MIB = 1L << 20;
    private static final String PRIMARY = "primary";
    private static final String DR = "dr";
    private static final String SHORT_DR = "dr-short";
    private static final Duration PROTECT_DEADLINE = Duration.ofSeconds(90);
    private static final Duration CATCH_UP_DEADLINE = Duration.ofSeconds(90);
    /** 8 rounds of this span more than 3 s of stream time: several automatic points (dr.checkpoint-interval 1s). */
    private static final Duration ROUND_TIME = Duration.ofMillis(400);
    /** The primary's replication.sync-timeout (short: the sync-mode test waits it out once). */
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(2);
    /** Prometheus series each protected group has on the primary (contract: "Shipping", metrics). */
    private static final List<String> PRIMARY_METRICS = List.of("tidemark_replication_lag_seconds",
            "tidemark_replication_lag_bytes", "tidemark_replication_shipped_bytes_total",
            "tidemark_replication_shipped_records_total", "tidemark_replication_compression_ratio",
            "tidemark_replication_sync_progress_ratio", "tidemark_replication_acked_sequence");
    /** ... and each replica group on the DR (contract: "DR history", metrics). */
    private static final List<String> DR_METRICS = List.of("tidemark_dr_window_oldest_seconds",
            "tidemark_dr_window_newest_seconds", "tidemark_dr_pinned_views", "tidemark_dr_disk_bytes",
            "tidemark_dr_records_total");
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private ApplianceProcess primary;
    private ApplianceProcess dr;
    private ApplianceProcess shortDr;
    private FaultProxy proxy;
    private ReplicationApi p;
    private ReplicationApi d;
    private ReplicationApi s;
    private TidemarkCli primaryCli;
    private TidemarkCli drCli;
    private String redeemedToken;
    /** Times the appended sequence lagged a write's completion (reported, not failed). */
    private int staleAppendedReads;

    @BeforeAll
    void startThreeAppliancesAndPairThePrimaryWithBoth() {
        ExecutorService starters = Executors.newFixedThreadPool(3);
        try {
            var drStart = CompletableFuture.supplyAsync(() -> ApplianceProcess.start(work.resolve(DR), config(DR)), starters);
            var shortStart = CompletableFuture.supplyAsync(() -> ApplianceProcess.start(work.resolve(SHORT_DR),
                    config(SHORT_DR) + "dr.retention = 3s\ndr.checkpoint-interval = 1s\n"), starters);
            var primaryStart = CompletableFuture.supplyAsync(() -> ApplianceProcess.start(work.resolve(PRIMARY),
                    config(PRIMARY) + "replication.sync-timeout = " + SYNC_TIMEOUT.toSeconds() + "s\n"), starters);
            dr = join(drStart);
            shortDr = join(shortStart);
            primary = join(primaryStart);
        } finally {
            starters.shutdown();
        }
        proxy = FaultProxy.start(dr.replicationPort());
        p = new ReplicationApi(primary.api(), PRIMARY);
        d = new ReplicationApi(dr.api(), DR);
        s = new ReplicationApi(shortDr.api(), SHORT_DR);
        primaryCli = new TidemarkCli(primary, work.resolve("cli"));
        drCli = new TidemarkCli(dr, work.resolve("cli"));

        // the operator's way: a token printed on the DR, redeemed on the primary, through the proxy
        ToolRun token = drCli.succeed("peer", "token", "--json");
        redeemedToken = json(token.stdout(), "peer token --json").path("token").asText();
        assertThat(redeemedToken).as("token in %s", token.stdout()).isNotBlank();
        primaryCli.succeed("peer", "pair", DR, "--address", proxy.address(), "--token", redeemedToken);
        assertThat(p.peerNames()).as("peers pinned on the primary").contains(DR);
        assertThat(d.peerNames()).as("peers pinned on the DR").contains(PRIMARY);

        ApplianceApi.Reply paired = p.pair(SHORT_DR, shortDr.replicationAddress(), s.issueToken().token());
        assertThat(paired.status()).as("POST /api/v1/peers %s: %s", SHORT_DR, paired.body()).isEqualTo(201);
        assertThat(s.peerNames()).as("peers pinned on %s", SHORT_DR).contains(PRIMARY);
    }

    @AfterAll
    void stopEverything() {
        System.out.println("appended sequence read behind a completed write " + staleAppendedReads + " time(s)");
        // the primary first: its shippers stop before their peers go away
        for (AutoCloseable c : new AutoCloseable[] {primary, proxy, dr, shortDr}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing the others matters more
                }
            }
        }
    }

    @Test
    @Order(1)
    void initialSyncCopiesDataWrittenBeforeProtectionExactlyAndReportsItsProgressReaching100Percent() {
        String group = "seeded";
        Volume volume = primary.api().createVolume("seeded-a", 8 * MIB);
        GroupModel model = new GroupModel(List.of(new GroupModel.Disk("seeded-a", 8 * MIB, 0x5EEDAL)));
        SplittableRandom random = new SplittableRandom(1);
        // data before the group exists: every other 64 KiB chunk of the first half, holes between
        try (GroupWriter writer = new GroupWriter(model, List.of(primary.lunUrl(volume)), work.resolve(group))) {
            for (int chunk = 0; chunk < 32; chunk++) {
                writer.write(0, chunk * 256L, 128);
            }
            writer.flush();
        }
        p.createGroup(group, List.of("seeded-a"));
        Volume grouped = primary.api().volume("seeded-a");
        List<String> seen = new ArrayList<>();
        ReplicationApi.Checkpoint synced;
        int mark;
        try (GroupWriter writer = new GroupWriter(model, List.of(primary.lunUrl(grouped)), work.resolve(group))) {
            for (int i = 0; i < 20; i++) {
                writer.writeRandom(random); // in the group's journal before protection
            }
            writer.flush();
            p.protect(group, DR, "async");
            for (int i = 0; i < 20; i++) {
                writer.writeRandom(random); // while the initial sync runs
            }
            ReplicationApi.GroupStatus done = p.awaitGroup(group, PROTECT_DEADLINE, "protected after its initial sync",
                    st -> {
                        seen.add(st.state() + "@" + st.syncPercent());
                        return st.state().equalsIgnoreCase("protected");
                    });
            assertThat(done.syncPercent()).as("sync percent once protected; states seen %s; %s", seen, done)
                    .isEqualTo(100.0);
            assertThat(done.syncDoneBytes()).as("sync bytes done = total: %s", done)
                    .isPositive().isEqualTo(done.syncTotalBytes());
            synced = p.checkpoint(group, "synced");
            mark = model.mark();
        }
        assertPrimaryHoldsTheModel(model, mark, "seeded-a");
        ToolRun status = primaryCli.succeed("group", "status", group);
        assertThat(status.stdout()).as("group status %s", group).contains("protected").contains("100");
        awaitReplicated(d, group, synced.sequence());
        assertThat(d.group(group).role()).isEqualTo("replica");

        ReplicationApi.View view = d.exportView(group, "checkpoint", "synced");
        try {
            assertThat(view.sequence()).as("sequence of the view at checkpoint synced").isEqualTo(synced.sequence());
            ViewImages.assertEquals(work, view, model, mark, "initial sync (states seen while waiting: " + seen + ")");
        } finally {
            d.releaseView(view.view());
        }
    }

    @Test
    @Order(2)
    void viewsAtEveryCheckpointRandomSequencesAndAutomaticPointsEqualTheModelOfBothVolumes() {
        String group = "order";
        primary.api().createVolume("order-a", 4 * MIB);
        primary.api().createVolume("order-b", 4 * MIB);
        primaryCli.succeed("group", "create", group, "--volume", "order-a", "--volume", "order-b");
        primaryCli.succeed("group", "protect", group, "--peer", DR, "--mode", "async");
        awaitProtected(group);
        GroupModel model = new GroupModel(List.of(new GroupModel.Disk("order-a", 4 * MIB, 0xA11CEL),
                new GroupModel.Disk("order-b", 4 * MIB, 0xB0BL)));
        SequenceLog log = new SequenceLog(0);
        SplittableRandom random = new SplittableRandom(20261122);

        try (GroupWriter writer = new GroupWriter(model, urls("order-a", "order-b"), work.resolve(group))) {
            for (int round = 1; round <= 8; round++) {
                // at least ROUND_TIME per round, so the stream spans several automatic points
                int writes = 10 + random.nextInt(15);
                long roundEnd = System.nanoTime() + ROUND_TIME.toNanos();
                for (int i = 0; i < writes || System.nanoTime() < roundEnd; i++) {
                    writeLogged(writer, random, group, log);
                }
                if (round == 4) {
                    checkpointWithCli(group, "cp-" + round, model, log);
                } else {
                    log.checkpoint(p.checkpoint(group, "cp-" + round), model.mark());
                }
            }
        }
        long last = log.lastSequence();
        assertPrimaryHoldsTheModel(model, model.mark(), "order-a", "order-b");
        awaitReplicated(d, group, last);

        List<ReplicationApi.Point> points = d.points(group, null, null);
        assertNamedCheckpointsListedOnceWithTheirSequences(points, log);
        List<ReplicationApi.Point> automatic = points.stream()
                .filter(pt -> pt.name() == null && pt.sequence() >= log.firstSequence() && pt.sequence() <= last)
                .toList();
        assertThat(automatic).as("automatic points (every second of stream time) within the workload's sequences"
                + " %d..%d: %s", log.firstSequence(), last, points).isNotEmpty();

        for (SequenceLog.Named cp : log.checkpoints()) {
            assertViewEquals(d, group, "checkpoint", cp.name(), cp.sequence(), model, cp.mark(), "checkpoint " + cp.name());
        }
        // a checkpoint's sequence, and the one before it: nothing was written between them
        for (SequenceLog.Named cp : List.of(log.checkpoint("cp-2"), log.checkpoint("cp-7"))) {
            assertViewEquals(d, group, "seq", cp.sequence(), cp.sequence(), model, cp.mark(), "seq of " + cp.name());
            assertViewEquals(d, group, "seq", cp.sequence() - 1, cp.sequence() - 1, model, cp.mark(),
                    "seq before " + cp.name());
        }
        for (int i = 0; i < 4; i++) {
            long seq = log.firstSequence() + random.nextLong(last - log.firstSequence() + 1);
            assertViewEquals(d, group, "seq", seq, seq, model, log.markAt(seq), "random sequence " + seq);
        }
        for (ReplicationApi.Point pt : automatic.subList(0, Math.min(2, automatic.size()))) {
            assertViewEquals(d, group, "at", pt.time(), pt.sequence(), model, log.markAt(pt.sequence()),
                    "automatic point at " + pt.time());
        }

        assertRefusedWithReason(d.tryExportView(group, "checkpoint", "no-such-checkpoint"), "no-such-checkpoint");
        assertRefusedWithReason(d.tryExportView(group, "seq", last + 1000), Long.toString(last + 1000));
        exportCheckAndReleaseWithTheCli(group, log.checkpoint("cp-5"), model);
        listPointsBetweenTwoCheckpointsWithTheCli(group, log);
        assertGroupMetrics(p, group, PRIMARY_METRICS);
        assertGroupMetrics(d, group, DR_METRICS);
    }

    @Test
    @Order(3)
    void afterADrKillLinkCutsAndStallsTheHistoryHasNoGapNorDuplicateAndTheNewestViewEqualsThePrimary()
            throws Exception {
        String group = "faults";
        primary.api().createVolume("faults-a", 2 * MIB);
        primary.api().createVolume("faults-b", 2 * MIB);
        p.createGroup(group, List.of("faults-a", "faults-b"));
        p.protect(group, DR, "async");
        awaitProtected(group);
        GroupModel model = new GroupModel(List.of(new GroupModel.Disk("faults-a", 2 * MIB, 0xFA17AL),
                new GroupModel.Disk("faults-b", 2 * MIB, 0xFA17BL)));
        SequenceLog log = new SequenceLog(0);
        SplittableRandom random = new SplittableRandom(3);
        int dialsBefore = proxy.acceptedConnections();
        List<String> faults = new ArrayList<>();
        ExecutorService restarter = Executors.newSingleThreadExecutor();
        CompletableFuture<Void> restarted = CompletableFuture.completedFuture(null);
        List<CompletableFuture<Void>> stalls = new ArrayList<>();

        try (GroupWriter writer = new GroupWriter(model, urls("faults-a", "faults-b"), work.resolve(group))) {
            for (int i = 1; i <= 220; i++) {
                writeLogged(writer, random, group, log);
                if (i % 20 == 0) {
                    log.checkpoint(p.checkpoint(group, "f-" + i), model.mark());
                }
                switch (i) {
                    case 30, 190 -> faults.add("cut " + proxy.cutAll() + " connection(s) after write " + i);
                    case 70 -> {
                        stalls.add(proxy.stall(Duration.ofSeconds(2)));
                        faults.add("stall 2 s after write " + i);
                    }
                    case 110 -> {
                        dr.kill();
                        restarted = CompletableFuture.runAsync(dr::restart, restarter);
                        faults.add("kill -9 of the DR after write " + i);
                    }
                    case 170 -> {
                        restarted.get(3, TimeUnit.MINUTES);
                        faults.add("DR up again by write " + i);
                    }
                    case 200 -> {
                        stalls.add(proxy.stall(Duration.ofSeconds(1)));
                        faults.add("stall 1 s after write " + i);
                    }
                    default -> { }
                }
            }
            log.checkpoint(p.checkpoint(group, "f-end"), model.mark());
        } finally {
            restarter.shutdown();
        }
        CompletableFuture.allOf(stalls.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
        long last = log.lastSequence();
        awaitReplicated(d, group, last);

        ReplicationApi.GroupStatus ps = p.group(group);
        ReplicationApi.GroupStatus ds = d.group(group);
        assertThat(ps.appended()).as("primary appended = last logged sequence (%s)", ps).isEqualTo(last);
        assertThat(ps.acked()).as("primary acked = appended after catching up (%s)", ps).isEqualTo(last);
        assertThat(ps.shipped()).as("primary shipped = appended after catching up (%s)", ps).isEqualTo(last);
        assertThat(ds.newestSequence()).as("DR newest point = primary's last sequence (%s)", ds).isEqualTo(last);
        assertThat(proxy.acceptedConnections()).as("the primary dialed again after the faults %s (%s)", faults, proxy)
                .isGreaterThan(dialsBefore);
        assertNamedCheckpointsListedOnceWithTheirSequences(d.points(group, null, null), log);

        for (String name : List.of("f-20", "f-40", "f-80", "f-100", "f-120", "f-160", "f-180", "f-200")) {
            SequenceLog.Named cp = log.checkpoint(name);
            assertViewEquals(d, group, "checkpoint", name, cp.sequence(), model, cp.mark(),
                    "checkpoint " + name + " after faults " + faults);
        }
        for (int i = 0; i < 3; i++) {
            long seq = log.firstSequence() + random.nextLong(last - log.firstSequence() + 1);
            assertViewEquals(d, group, "seq", seq, seq, model, log.markAt(seq), "random sequence " + seq);
        }
        // the newest view against the primary's own volumes, read through its LUNs
        SequenceLog.Named end = log.checkpoint("f-end");
        ReplicationApi.View newest = d.exportView(group, "checkpoint", "f-end");
        try {
            ViewImages.assertEquals(work, newest, model, end.mark(), "newest view after faults " + faults);
            assertPrimaryHoldsTheModel(model, end.mark(), "faults-a", "faults-b");
        } finally {
            d.releaseView(newest.view());
        }
    }

    @Test
    @Order(4)
    void aByteFlippedInFlightIsRejectedNothingOfItIsAppliedAndShippingResumes() {
        String group = "tamper";
        primary.api().createVolume("tamper-a", 2 * MIB);
        p.createGroup(group, List.of("tamper-a"));
        p.protect(group, DR, "async");
        awaitProtected(group);
        GroupModel model = new GroupModel(List.of(new GroupModel.Disk("tamper-a", 2 * MIB, 0x7A3BL)));
        SequenceLog log = new SequenceLog(0);
        SplittableRandom random = new SplittableRandom(4);
        CompletableFuture<Long> flipped;
        int dialsBefore;
        int drLogBefore;
        int primaryLogBefore;

        try (GroupWriter writer = new GroupWriter(model, urls("tamper-a"), work.resolve(group))) {
            for (int i = 0; i < 15; i++) {
                writeLogged(writer, random, group, log);
            }
            log.checkpoint(p.checkpoint(group, "t-before"), model.mark());
            awaitReplicated(d, group, log.lastSequence());
            dialsBefore = proxy.acceptedConnections();
            drLogBefore = dr.logText().length();
            primaryLogBefore = primary.logText().length();

            flipped = proxy.corrupt(FaultProxy.Direction.TO_UPSTREAM, 2048, 44);
            for (int i = 0; i < 400 && !flipped.isDone(); i++) {
                writeLogged(writer, random, group, log);
            }
            assertThat(flipped).as("a byte flipped within the next 2 KiB toward the DR (%s)", proxy).isDone();
            for (int i = 0; i < 15; i++) {
                writeLogged(writer, random, group, log);
            }
            log.checkpoint(p.checkpoint(group, "t-after"), model.mark());
        }
        awaitReplicated(d, group, log.lastSequence());

        assertThat(proxy.acceptedConnections()).as("the link was dropped at the flipped byte (stream offset %d) and"
                + " dialed again (%s)", flipped.join(), proxy).isGreaterThan(dialsBefore);
        String drLog = dr.logText().substring(drLogBefore);
        String primaryLog = primary.logText().substring(primaryLogBefore);
        assertThat(drLog + primaryLog).as("a WARN or ERROR line on either side about the rejected frame")
                .containsPattern("WARN|ERROR");
        assertThat(drLog).as("the DR's log after a bad frame (an expected condition: no stack trace)")
                .doesNotContain("\tat ");
        for (SequenceLog.Named cp : log.checkpoints()) {
            assertViewEquals(d, group, "checkpoint", cp.name(), cp.sequence(), model, cp.mark(),
                    "checkpoint " + cp.name() + " around the flipped byte");
        }
        long seq = log.checkpoint("t-before").sequence() + 1
                + random.nextLong(log.checkpoint("t-after").sequence() - log.checkpoint("t-before").sequence() - 1);
        assertViewEquals(d, group, "seq", seq, seq, model, log.markAt(seq), "sequence " + seq + " around the flipped byte");
    }

    @Test
    @Order(5)
    void aRecordAlteredInsideTheTlsTunnelIsRejectedByItsTagNothingOfItIsAppliedAndShippingResumes() throws Exception {
        String group = "aead";
        primary.api().createVolume("aead-a", 2 * MIB);
        p.createGroup(group, List.of("aead-a"));
        p.protect(group, DR, "async");
        awaitProtected(group);
        GroupModel model = new GroupModel(List.of(new GroupModel.Disk("aead-a", 2 * MIB, 0xAEADL)));
        SequenceLog log = new SequenceLog(0);
        SplittableRandom random = new SplittableRandom(5);
        InterceptingRelay.Flip flip;
        String drLog;
        try (GroupWriter writer = new GroupWriter(model, urls("aead-a"), work.resolve(group));
             InterceptingRelay mitm = InterceptingRelay.start(dr.dataDir().resolve("identity"),
                     primary.dataDir().resolve("identity"), dr.replicationPort())) {
            for (int i = 0; i < 15; i++) {
                writeLogged(writer, random, group, log);
            }
            log.checkpoint(p.checkpoint(group, "a-before"), model.mark());
            awaitReplicated(d, group, log.lastSequence());
            // every link dials again, now through the interceptor
            proxy.redirect(mitm.port());
            proxy.cutAll();
            int drLogBefore = dr.logText().length();
            CompletableFuture<InterceptingRelay.Flip> flipped = mitm.flipNextBatch();
            for (int i = 0; i < 400 && !flipped.isDone(); i++) {
                writeLogged(writer, random, group, log);
                if (i == 0) {
                    p.awaitGroup(group, CATCH_UP_DEADLINE, "shipping through the interceptor",
                            st -> mitm.batchesRelayed() > 0 || flipped.isDone());
                }
            }
            flip = flipped.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 15; i++) {
                writeLogged(writer, random, group, log);
            }
            log.checkpoint(p.checkpoint(group, "a-after"), model.mark());
            awaitReplicated(d, group, log.lastSequence());
            drLog = dr.logText().substring(drLogBefore);
            assertThat(mitm.acceptedConnections()).as("the primary dialed again after the rejection (%s, %s)", mitm, flip)
                    .isGreaterThanOrEqualTo(2);
        } finally {
            proxy.redirect(dr.replicationPort());
            proxy.cutAll();
        }
        assertThat(drLog).as("the DR names the group and the sequence of the altered record %s", flip)
                .contains(group).contains(Long.toString(flip.sequence()));
        assertThat(drLog).as("the DR's log after an altered record (expected condition: no stack trace)")
                .doesNotContain("\tat ");
        for (SequenceLog.Named cp : log.checkpoints()) {
            assertViewEquals(d, group, "checkpoint", cp.name(), cp.sequence(), model, cp.mark(),
                    "checkpoint " + cp.name() + " around the altered record " + flip);
        }
        for (long seq : new long[] {flip.sequence() - 1, flip.sequence(), flip.sequence() + 1}) {
            assertViewEquals(d, group, "seq", seq, seq, model, log.markAt(seq), "sequence " + seq
                    + " next to the altered record " + flip);
        }
    }

    @Test
    @Order(6)
    void inSyncModeEveryCompletedWriteIsOnTheDrAndAStalledLinkDegradesToAsyncUntilCaughtUp() throws Exception {
        String group = "rpo0";
        primary.api().createVolume("rpo0-a", 2 * MIB);
        p.createGroup(group, List.of("rpo0-a"));
        p.protect(group, DR, "sync");
        awaitProtected(group);
        GroupModel model = new GroupModel(List.of(new GroupModel.Disk("rpo0-a", 2 * MIB, 0x5E7CL)));
        SequenceLog log = new SequenceLog(0);
        SplittableRandom random = new SplittableRandom(6);

        try (GroupWriter writer = new GroupWriter(model, urls("rpo0-a"), work.resolve(group))) {
            for (int i = 0; i < 20; i++) {
                writeLogged(writer, random, group, log);
                ReplicationApi.GroupStatus st = p.group(group);
                assertThat(st.acked()).as("sync mode: acknowledged by the DR when write #%d completed (%s)",
                        model.mark(), st).isGreaterThanOrEqualTo(log.lastSequence());
                assertThat(st.mode()).isEqualTo("sync");
            }
            CompletableFuture<Void> stall = proxy.stall(SYNC_TIMEOUT.multipliedBy(3));
            long start = System.nanoTime();
            writeLogged(writer, random, group, log);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            ReplicationApi.GroupStatus degraded = p.group(group);
            assertThat(degraded.mode()).as("mode after a write waited %d ms on a stalled link (%s)", waited.toMillis(),
                    degraded).isEqualTo("sync-degraded");
            assertThat(waited).as("the first write on a stalled link waits for the sync timeout")
                    .isGreaterThanOrEqualTo(SYNC_TIMEOUT.dividedBy(2));
            for (int i = 0; i < 10; i++) {
                writeLogged(writer, random, group, log); // async meanwhile: no wait for the DR
            }
            stall.get(1, TimeUnit.MINUTES);
            p.awaitGroup(group, CATCH_UP_DEADLINE, "back in sync mode once caught up", st -> st.mode().equals("sync"));
            for (int i = 0; i < 10; i++) {
                writeLogged(writer, random, group, log);
                assertThat(p.group(group).acked()).as("sync mode again: write #%d acknowledged by the DR", model.mark())
                        .isGreaterThanOrEqualTo(log.lastSequence());
            }
            log.checkpoint(p.checkpoint(group, "s-end"), model.mark());
        }
        awaitReplicated(d, group, log.lastSequence());
        SequenceLog.Named end = log.checkpoint("s-end");
        assertViewEquals(d, group, "checkpoint", "s-end", end.sequence(), model, end.mark(), "sync-mode group");
    }

    @Test
    @Order(7)
    void anUnpinnedCertificateGetsNothingAndARedeemedTokenIsRefused() throws Exception {
        int drLogBefore = dr.logText().length();

        UnpinnedPeer.Outcome outcome = UnpinnedPeer.dial(work.resolve("mallory"), ApplianceProcess.HOST, dr.replicationPort(),
                PRIMARY);

        assertThat(outcome.bytesReceived()).as("application bytes the DR sent to an unpinned certificate (%s)", outcome)
                .isZero();
        assertThat(outcome.closedByPeer()).as("the DR closed the connection (%s)", outcome).isTrue();

        ToolRun reused = primaryCli.run("peer", "pair", "dr-again", "--address", dr.replicationAddress(),
                "--token", redeemedToken);
        assertThat(reused.exitCode()).as("pairing again with a redeemed token: %s", reused.describe()).isNotZero();
        assertThat(reused.stderr().toLowerCase()).as(reused.describe()).contains("token");
        assertThat(p.peerNames()).as("peers of the primary").doesNotContain("dr-again");
        assertThat(d.peerNames()).as("peers of the DR").containsOnlyOnce(PRIMARY).hasSize(1);
        assertThat(dr.logText().substring(drLogBefore)).as("the DR logs the refusal").contains("WARN");
    }

    @Test
    @Order(8)
    void withAThreeSecondWindowTheBaseAdvancesWhileAPinnedViewStaysExact() {
        String group = "window";
        primary.api().createVolume("window-a", 2 * MIB);
        p.createGroup(group, List.of("window-a"));
        p.protect(group, SHORT_DR, "async");
        awaitProtected(group);
        GroupModel model = new GroupModel(List.of(new GroupModel.Disk("window-a", 2 * MIB, 0x3D00L)));
        SequenceLog log = new SequenceLog(0);
        SplittableRandom random = new SplittableRandom(6);

        try (GroupWriter writer = new GroupWriter(model, urls("window-a"), work.resolve(group))) {
            for (int i = 0; i < 30; i++) {
                writeLogged(writer, random, group, log);
            }
            log.checkpoint(p.checkpoint(group, "w-early"), model.mark());
            SequenceLog.Named early = log.checkpoint("w-early");
            awaitReplicated(s, group, early.sequence());
            long oldestAtPin = s.group(group).oldestSequence();
            ReplicationApi.View pinned = s.exportView(group, "checkpoint", "w-early");
            assertThat(s.group(group).pinnedViews()).as("pinned views").isEqualTo(1);

            ReplicationApi.GroupStatus moved = writeUntil(writer, random, group, log, Duration.ofSeconds(40),
                    "window's oldest point past " + oldestAtPin, st -> st.oldestSequence() > oldestAtPin);
            ViewImages.assertEquals(work, pinned, model, early.mark(), "pinned view right after the base advanced to "
                    + moved.oldestSequence());
            // longer than the window: the base may reach the pinned point, never pass it
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (System.nanoTime() < until) {
                writeLogged(writer, random, group, log);
            }
            ReplicationApi.GroupStatus held = s.group(group);
            assertThat(held.oldestSequence()).as("oldest point with a view pinned at %d (%s)", early.sequence(), held)
                    .isGreaterThan(oldestAtPin).isLessThanOrEqualTo(early.sequence());
            ViewImages.assertEquals(work, pinned, model, early.mark(), "pinned view 4 s past the window");

            s.releaseView(pinned.view());
            writeUntil(writer, random, group, log, Duration.ofSeconds(40),
                    "oldest point past the released view's " + early.sequence(),
                    st -> st.oldestSequence() > early.sequence() && st.pinnedViews() == 0);
            log.checkpoint(p.checkpoint(group, "w-late"), model.mark());
        }
        SequenceLog.Named late = log.checkpoint("w-late");
        awaitReplicated(s, group, late.sequence());
        assertViewEquals(s, group, "checkpoint", "w-late", late.sequence(), model, late.mark(), "newest view");
    }

    @Test
    @Order(9)
    void aRevokedPeerGetsNothingMore() {
        String group = "window";
        ReplicationApi.GroupStatus before = s.group(group);
        ToolRun revoked = new TidemarkCli(shortDr, work.resolve("cli")).succeed("peer", "revoke", PRIMARY);
        assertThat(s.peerNames()).as("peers of %s after peer revoke (%s)", SHORT_DR, revoked.stdout())
                .doesNotContain(PRIMARY);
        GroupModel model = new GroupModel(List.of(new GroupModel.Disk("window-a", 2 * MIB, 0x4E40L)));
        SequenceLog log = new SequenceLog(0);
        try (GroupWriter writer = new GroupWriter(model, urls("window-a"), work.resolve(group + "-revoked"))) {
            for (int i = 0; i < 10; i++) {
                writeLogged(writer, new SplittableRandom(i), group, log);
            }
        }
        long last = log.lastSequence();
        ReplicationApi.GroupStatus cut = p.awaitGroup(group, CATCH_UP_DEADLINE, "no longer protected by revoked " + SHORT_DR,
                st -> !st.state().equalsIgnoreCase("protected") || st.acked() >= last);
        assertThat(cut.acked()).as("the primary got acknowledgements from a DR that revoked it (%s)", cut)
                .isLessThan(last);
        // an absence: watch the DR for a few seconds more
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < until) {
            assertThat(s.group(group).newestSequence()).as("newest sequence on %s after revoking the primary (before: %s)",
                    SHORT_DR, before).isLessThan(last);
            ReplicationApi.pause();
        }
    }

    // ---- steps

    private static void assertGroupMetrics(ReplicationApi appliance, String group, List<String> names) {
        ApplianceApi.Reply metrics = appliance.raw().get("/metrics");
        assertThat(metrics.status()).as("%s: GET /metrics", appliance).isEqualTo(200);
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            java.util.regex.Pattern series = java.util.regex.Pattern.compile(
                    "(?m)^" + name + "\\{[^}]*group=\"" + group + "\"[^}]*\\} \\S+");
            if (!series.matcher(metrics.body()).find()) {
                missing.add(name);
            }
        }
        assertThat(missing).as("%s: series with group=\"%s\" missing from GET /metrics; its tidemark_ lines:%n%s",
                appliance, group, metrics.body().lines().filter(l -> l.startsWith("tidemark_r") || l.startsWith("tidemark_dr"))
                        .collect(Collectors.joining("\n"))).isEmpty();
    }

    /**
     * The primary's own volumes, read through its LUNs, against the model: a difference here is
     * the primary's (journal, store, read path), not replication's.
     */
    private void assertPrimaryHoldsTheModel(GroupModel model, int mark, String... volumes) {
        List<String> live = urls(volumes);
        List<String> differences = new ArrayList<>();
        for (int disk = 0; disk < live.size(); disk++) {
            String difference = model.describeDifference(disk, mark, ViewImages.read(work, live.get(disk)));
            if (difference != null) {
                differences.add(difference);
            }
        }
        assertThat(differences).as("the PRIMARY's own volumes read back through iSCSI differ from what the initiator"
                + " was acknowledged (not a replication fault)").isEmpty();
    }

    private static void assertRefusedWithReason(ApplianceApi.Reply reply, String naming) {
        assertThat(reply.status()).as("HTTP status of a view no point matches: %s", reply.body()).isBetween(400, 499);
        assertThat(reply.json().path("error").asText()).as("error reason").contains(naming);
    }

    private void awaitProtected(String group) {
        p.awaitGroup(group, PROTECT_DEADLINE, "protected", st -> st.state().equalsIgnoreCase("protected"));
    }

    /** Waits until the DR holds {@code sequence} and the primary saw it acknowledged. */
    private void awaitReplicated(ReplicationApi replica, String group, long sequence) {
        replica.awaitGroup(group, CATCH_UP_DEADLINE, "holding sequence " + sequence, st -> st.newestSequence() >= sequence);
        p.awaitGroup(group, CATCH_UP_DEADLINE, "acknowledged up to " + sequence, st -> st.acked() >= sequence);
    }

    /**
     * One random write, then the primary's appended sequence (the group is otherwise quiet). The
     * appended sequence read right after the SCSI completion was seen one short of the write's
     * own sequence now and then: it is polled until it passes the previous one (and counted).
     */
    private void writeLogged(GroupWriter writer, SplittableRandom random, String group, SequenceLog log) {
        writer.writeRandom(random);
        long previous = log.isEmpty() ? 0 : log.lastSequence();
        long appended = p.group(group).appended();
        if (appended <= previous) {
            staleAppendedReads++;
            System.out.printf("group %s: appended sequence %d read after the completion of write #%d is not past"
                    + " the previous write's %d; polling%n", group, appended, writer.model().mark(), previous);
            appended = p.awaitGroup(group, Duration.ofSeconds(10), "appended past " + previous,
                    st -> st.appended() > previous).appended();
        }
        log.wrote(appended, writer.model().mark());
    }

    private ReplicationApi.GroupStatus writeUntil(GroupWriter writer, SplittableRandom random, String group,
                                                  SequenceLog log, Duration deadline, String what,
                                                  java.util.function.Predicate<ReplicationApi.GroupStatus> condition) {
        long end = System.nanoTime() + deadline.toNanos();
        ReplicationApi.GroupStatus st = s.group(group);
        while (!condition.test(st)) {
            if (System.nanoTime() > end) {
                throw new AssertionError(SHORT_DR + ": " + what + " not reached within " + deadline.toSeconds()
                        + " s of writing; last status " + st);
            }
            writeLogged(writer, random, group, log);
            st = s.group(group);
        }
        return st;
    }

    private void assertViewEquals(ReplicationApi replica, String group, String key, Object value, long expectedSequence,
                                  GroupModel model, int mark, String what) {
        ReplicationApi.View view = replica.exportView(group, key, value);
        try {
            assertThat(view.sequence()).as("%s: sequence of the view exported with %s=%s", what, key, value)
                    .isEqualTo(expectedSequence);
            ViewImages.assertEquals(work, view, model, mark, what);
        } finally {
            replica.releaseView(view.view());
        }
    }

    private static void assertNamedCheckpointsListedOnceWithTheirSequences(List<ReplicationApi.Point> points,
                                                                           SequenceLog log) {
        // an automatic point may fall on a named checkpoint's record: equal sequences are fine, going back is not
        for (int i = 1; i < points.size(); i++) {
            assertThat(points.get(i).sequence()).as("points in sequence order: %s", points)
                    .isGreaterThanOrEqualTo(points.get(i - 1).sequence());
        }
        List<ReplicationApi.Point> named = points.stream().filter(pt -> pt.name() != null).toList();
        for (int i = 1; i < named.size(); i++) {
            assertThat(named.get(i).sequence()).as("named points in increasing sequence, no duplicate: %s", named)
                    .isGreaterThan(named.get(i - 1).sequence());
        }
        List<String> names = named.stream().map(ReplicationApi.Point::name).toList();
        Set<String> unique = new HashSet<>(names);
        assertThat(names).as("named points listed once each").hasSameSizeAs(unique);
        Map<String, Long> listed = points.stream().filter(pt -> pt.name() != null)
                .collect(Collectors.toMap(ReplicationApi.Point::name, ReplicationApi.Point::sequence));
        for (SequenceLog.Named cp : log.checkpoints()) {
            assertThat(listed.get(cp.name())).as("sequence listed for checkpoint %s", cp.name()).isEqualTo(cp.sequence());
        }
    }

    /** {@code tidemark checkpoint create GROUP NAME --json} on the primary. */
    private void checkpointWithCli(String group, String name, GroupModel model, SequenceLog log) {
        ToolRun run = primaryCli.succeed("checkpoint", "create", group, name, "--json");
        JsonNode node = json(run.stdout(), "checkpoint create --json");
        log.checkpoint(new ReplicationApi.Checkpoint(node.path("name").asText(), node.path("sequence").asLong(-1),
                node.path("time").asText()), model.mark());
        assertThat(node.path("name").asText()).as(run.stdout()).isEqualTo(name);
    }

    /** {@code tidemark pit export --checkpoint}, {@code pit list}, {@code pit release} on the DR. */
    private void exportCheckAndReleaseWithTheCli(String group, SequenceLog.Named cp, GroupModel model) {
        ToolRun exported = drCli.succeed("pit", "export", group, "--checkpoint", cp.name(), "--json");
        ReplicationApi.View view;
        try {
            view = JSON.readValue(exported.stdout(), ReplicationApi.View.class);
        } catch (IOException e) {
            throw new AssertionError("pit export --json printed no view: " + exported.describe(), e);
        }
        ToolRun human = drCli.succeed("pit", "list");
        assertThat(human.stdout()).as("pit list").contains(view.view());
        ViewImages.assertEquals(work, view, model, cp.mark(), "view exported with the CLI at " + cp.name());
        drCli.succeed("pit", "release", view.view());
        assertThat(d.viewNames()).as("views after pit release").doesNotContain(view.view());

        // without --json: the view and, per volume, its name and iSCSI URL
        List<String> before = d.viewNames();
        ToolRun printed = drCli.succeed("pit", "export", group, "--seq", Long.toString(cp.sequence()));
        List<String> created = new ArrayList<>(d.viewNames());
        created.removeAll(before);
        assertThat(created).as("views made by pit export --seq %d", cp.sequence()).hasSize(1);
        assertThat(printed.stdout()).as("pit export output").contains(created.get(0), group + "-a", group + "-b")
                .containsPattern("iscsi://\\S+/0")
                .containsPattern("iscsi://\\S+/1");
        drCli.succeed("pit", "release", created.get(0));
        assertThat(d.viewNames()).as("views after pit release").doesNotContain(created.get(0));
    }

    /** {@code tidemark points GROUP --from T --to T}: the checkpoints strictly between two others are listed. */
    private void listPointsBetweenTwoCheckpointsWithTheCli(String group, SequenceLog log) {
        List<ReplicationApi.Point> all = d.points(group, null, null);
        String from = timeOf(all, "cp-3");
        String to = timeOf(all, "cp-6");
        ToolRun run = drCli.succeed("points", group, "--from", from, "--to", to, "--json");
        List<String> names = new ArrayList<>();
        json(run.stdout(), "points --json").forEach(pt -> {
            if (!pt.path("name").isNull() && !pt.path("name").isMissingNode()) {
                names.add(pt.path("name").asText());
            }
        });
        assertThat(names).as("named points between %s and %s: %s", from, to, run.stdout())
                .contains("cp-4", "cp-5").doesNotContain("cp-1", "cp-2", "cp-7", "cp-8");
        ToolRun human = drCli.succeed("points", group);
        assertThat(human.stdout()).as("points (table)").contains("cp-1", "cp-8", Long.toString(log.checkpoint("cp-8").sequence()));
    }

    private static String timeOf(List<ReplicationApi.Point> points, String name) {
        return points.stream().filter(pt -> name.equals(pt.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no point named " + name + " in " + points)).time();
    }

    private List<String> urls(String... volumes) {
        List<String> urls = new ArrayList<>();
        for (String v : volumes) {
            urls.add(primary.lunUrl(primary.api().volume(v)));
        }
        return urls;
    }

    /** No demo volume: a 1G file per appliance is only start-up time here. */
    private static String config(String name) {
        return "appliance.name = " + name + "\ndemo.volume.size = 0\n";
    }

    private static JsonNode json(String text, String what) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(what + " printed no JSON:\n" + text, e);
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(5, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("an appliance did not start within 5 min", e);
        }
    }
}
