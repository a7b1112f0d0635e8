package io.tidemark.replicator.ship;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.journal.RecordType;
import io.tidemark.replicator.seal.Compression;
import io.tidemark.replicator.seal.Metadata;
import io.tidemark.replicator.seal.OpenedRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupShipperTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void shouldSyncExistingDataThenShipEveryWriteInOrder() throws Exception {
        try (ShipFixture f = new ShipFixture(dir)) {
            ShipFixture.join(f.writeRandomly(200));
            long before = f.group.appendedSequence();

            GroupShipper shipper = f.start(ShipFixture.settings("async"));
            List<CompletableFuture<Long>> during = f.writeRandomly(300);
            ShipFixture.join(during);
            f.awaitCaughtUp(WAIT);

            f.assertContiguous();
            f.assertReplicaEqualsPrimary();
            List<OpenedRecord> records = f.sink().records();
            OpenedRecord first = records.get(0);
            assertThat(first.type()).isEqualTo(RecordType.METADATA);
            assertThat(Metadata.parse(first.payload()).isSyncStart()).isTrue();
            assertThat(first.sequence()).isGreaterThan(before);
            assertThat(records).filteredOn(r -> r.type() == RecordType.SNAPSHOT)
                    .hasSize((int) (2 * ShipFixture.VOLUME_BYTES / InitialSync.CHUNK_BYTES));
            assertThat(records).anyMatch(r -> r.type() == RecordType.METADATA
                    && Metadata.parse(r.payload()).isSyncComplete());
            ShipStatus s = shipper.status();
            assertThat(s.syncTotalBytes()).isEqualTo(2 * ShipFixture.VOLUME_BYTES);
            assertThat(s.syncDoneBytes()).isEqualTo(s.syncTotalBytes());
            assertThat(s.syncProgress()).isEqualTo(1.0);
            assertThat(s.syncEtaSeconds()).isZero();
            assertThat(s.lagSeconds()).isZero();
            assertThat(s.lagBytes()).isZero();
            assertThat(s.shippedSeq()).isEqualTo(f.group.appendedSequence());
            assertThat(f.group.consumers()).anyMatch(c -> c.name().equals("peer:dr")
                    && c.acknowledged() == f.group.appendedSequence());
            assertThat(f.registry.get("tidemark.replication.sync.progress.ratio").gauge().value()).isEqualTo(1.0);
            assertThat(f.registry.get("tidemark.replication.shipped.records").counter().count())
                    .isEqualTo(records.size());
        }
    }

    @Test
    void shouldResumeAfterCutsWithNoGapAndNoDuplicate() throws Exception {
        try (ShipFixture f = new ShipFixture(dir)) {
            GroupShipper shipper = f.start(ShipFixture.settings("async"));
            f.awaitCaughtUp(WAIT);
            for (int round = 0; round < 4; round++) {
                List<CompletableFuture<Long>> writes = f.writeRandomly(150);
                long target = shipper.status().ackedSeq() + 20;
                ShipFixture.await(WAIT, () -> shipper.status().ackedSeq() >= target, shipper::status);
                f.link.cutAll();
                ShipFixture.join(writes);
            }
            f.awaitCaughtUp(WAIT);

            f.assertContiguous();
            f.assertReplicaEqualsPrimary();
            assertThat(f.link.connects.get()).isGreaterThanOrEqualTo(5);
            assertThat(f.sink().records()).filteredOn(r -> r.type() == RecordType.METADATA
                    && Metadata.parse(r.payload()).isSyncStart()).hasSize(1);
        }
    }

    @Test
    void shouldRefuseATamperedRecordKeepNothingOfItAndResumeFromTheLastGoodSequence() throws Exception {
        try (ShipFixture f = new ShipFixture(dir)) {
            GroupShipper shipper = f.start(ShipFixture.settings("async"));
            f.awaitCaughtUp(WAIT);
            f.link.flipBatches.set(1);

            ShipFixture.join(f.writeRandomly(100));
            f.awaitCaughtUp(WAIT);

            assertThat(f.link.flipBatches.get()).isZero();
            assertThat(f.sink().tampered).isEqualTo(1);
            assertThat(f.link.connects.get()).isEqualTo(2);
            f.assertContiguous();
            f.assertReplicaEqualsPrimary();
            assertThat(shipper.status().lastError()).contains("tampered").contains("seq");
        }
    }

    @Test
    void shouldHoldWritesInSyncModeUntilTheDrAcknowledgesThenDegradeAfterTheTimeout() throws Exception {
        try (ShipFixture f = new ShipFixture(dir)) {
            ShipSettings settings = new ShipSettings(0, Duration.ofMillis(5), 1024 * 1024, Compression.ZSTD,
                    Duration.ofMillis(1500), "sync");
            GroupShipper shipper = f.start(settings);
            f.awaitCaughtUp(WAIT);
            assertThat(shipper.effectiveMode()).isEqualTo("sync");

            f.link.stall();
            CompletableFuture<Long> held = f.group.write(1, 0, f.pattern(8), false);
            assertThatThrownBy(() -> held.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            f.link.unstall();
            long seq = held.get(10, TimeUnit.SECONDS);
            assertThat(shipper.status().ackedSeq()).isGreaterThanOrEqualTo(seq);

            f.link.stall();
            long start = System.nanoTime();
            CompletableFuture<Long> degraded = f.group.write(2, 8, f.pattern(8), false);
            degraded.get(10, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1400));
            assertThat(shipper.effectiveMode()).isEqualTo("sync-degraded");
            assertThat(f.registry.get("tidemark.replication.sync.degraded").counter().count()).isEqualTo(1.0);

            f.link.unstall();
            ShipFixture.await(WAIT, () -> shipper.effectiveMode().equals("sync"), shipper::status);
            CompletableFuture<Long> again = f.group.write(1, 16, f.pattern(8), false);
            long againSeq = again.get(10, TimeUnit.SECONDS);
            assertThat(shipper.status().ackedSeq()).isGreaterThanOrEqualTo(againSeq);
            f.awaitCaughtUp(WAIT);
            f.assertReplicaEqualsPrimary();
        }
    }

    @Test
    void shouldKeepRoughlyToTheBandwidthLimit() throws Exception {
        try (ShipFixture f = new ShipFixture(dir)) {
            long limit = 1_000_000;
            ShipSettings settings = new ShipSettings(limit, Duration.ofMillis(5), 64 * 1024, Compression.NONE,
                    Duration.ofSeconds(5), "async");
            GroupShipper shipper = f.start(settings);
            f.awaitCaughtUp(WAIT);

            long start = System.nanoTime();
            long bytes = 0;
            for (int i = 0; i < 24; i++) {
                f.group.write(1 + i % 2, i * 128L, f.pattern(128), false).get(10, TimeUnit.SECONDS);
                bytes += 128 * ShipFixture.BLOCK;
            }
            f.awaitCaughtUp(WAIT);
            double seconds = (System.nanoTime() - start) / 1e9;

            // the bucket starts with 100 ms of burst: the rest must take at least its time at the limit
            double expected = (bytes - limit / 10.0) / limit;
            assertThat(seconds).isGreaterThan(expected * 0.8).isLessThan(expected * 3 + 2);
            f.assertReplicaEqualsPrimary();
        }
    }

    @Test
    void shouldReconnectWithBackoffWhileThePeerIsUnreachable() throws Exception {
        try (ShipFixture f = new ShipFixture(dir)) {
            f.link.refuse = true;
            GroupShipper shipper = f.start(ShipFixture.settings("async"));
            ShipFixture.await(WAIT, () -> f.link.connects.get() >= 3, shipper::status);
            assertThat(shipper.status().state()).isEqualTo("CONNECTING");
            assertThat(shipper.status().lastError()).contains("connection refused");
            ShipFixture.join(f.writeRandomly(50));
            ShipFixture.await(WAIT, () -> shipper.status().lagSeconds() > 0.01, shipper::status);
            assertThat(shipper.status().lagBytes()).isGreaterThan(0);

            f.link.refuse = false;
            f.awaitCaughtUp(WAIT);
            f.assertReplicaEqualsPrimary();
            assertThat(shipper.status().lastError()).contains("connection refused");
        }
    }

    @Test
    void shouldResumeAfterAPrimaryRestartWithoutAnotherFullSyncWhenTheDrIsComplete() throws Exception {
        try (ShipFixture f = new ShipFixture(dir)) {
            GroupShipper first = f.start(ShipFixture.settings("async"));
            ShipFixture.join(f.writeRandomly(100));
            f.awaitCaughtUp(WAIT);
            first.close();
            ShipFixture.join(f.writeRandomly(100));

            f.start(ShipFixture.settings("async"));
            f.awaitCaughtUp(WAIT);

            assertThat(f.syncStarts()).isEqualTo(1);
            f.assertContiguous();
            f.assertReplicaEqualsPrimary();
        }
    }

    @Test
    void shouldRedoTheFullSyncAfterAPrimaryRestartWhenTheDrCannotTellItIsComplete() throws Exception {
        try (ShipFixture f = new ShipFixture(dir)) {
            GroupShipper first = f.start(ShipFixture.settings("async"));
            f.awaitCaughtUp(WAIT);
            f.sink().tellsSyncComplete = false;
            first.close();
            ShipFixture.join(f.writeRandomly(100));

            GroupShipper second = f.start(ShipFixture.settings("async"));
            f.awaitCaughtUp(WAIT);

            assertThat(f.syncStarts()).isEqualTo(2);
            assertThat(second.status().syncDoneBytes()).isEqualTo(2 * ShipFixture.VOLUME_BYTES);
            f.assertContiguous();
            f.assertReplicaEqualsPrimary();
        }
    }

    @Test
    void shouldShipAgainFromItsSyncStartWhenTheDrLostItsReplica() throws Exception {
        try (ShipFixture f = new ShipFixture(dir)) {
            ShipFixture.join(f.writeRandomly(100));
            GroupShipper shipper = f.start(ShipFixture.settings("async"));
            ShipFixture.join(f.writeRandomly(100));
            f.awaitCaughtUp(WAIT);

            f.wipeReplica();
            f.link.cutAll();
            ShipFixture.join(f.writeRandomly(100));
            ShipFixture.await(WAIT, () -> f.sink().durableSequence() >= f.group.appendedSequence(), shipper::status);

            assertThat(f.syncStarts()).isEqualTo(1);
            f.assertContiguous();
            f.assertReplicaEqualsPrimary();
        }
    }

    @Test
    void shouldRedoTheFullSyncWhenTheJournalTrimmedWhatTheDrLacks() throws Exception {
        AtomicLong millis = new AtomicLong(1_800_000_000_000L);
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis.get());
            }
        };
        // one-second cycles and a 1-byte size cap: every cycle but the current one goes at each checkpoint
        try (ShipFixture f = new ShipFixture(dir, c -> c.withRetention(Duration.ofSeconds(1), Duration.ZERO, 1)
                .withCheckpointInterval(Duration.ofHours(1)).withClock(clock))) {
            GroupShipper shipper = f.start(ShipFixture.settings("async"));
            f.awaitCaughtUp(WAIT);
            f.link.refuse = true;
            f.link.cutAll();
            ShipFixture.await(WAIT, () -> shipper.status().state().equals("DISCONNECTED"), shipper::status);
            for (int cycle = 0; cycle < 3; cycle++) {
                ShipFixture.join(f.writeRandomly(20));
                millis.addAndGet(1000);
            }
            f.group.checkpointNow();
            assertThat(f.group.consumers()).anyMatch(c -> c.name().equals("peer:dr") && c.overrun());

            f.link.refuse = false;
            ShipFixture.await(WAIT, () -> f.syncStarts() == 2 && shipper.status().state().equals("PROTECTED")
                    && shipper.status().ackedSeq() >= f.group.appendedSequence(), shipper::status);

            f.assertContiguous();
            f.assertReplicaEqualsPrimary();
        }
    }

    @Test
    void shouldSplitABatchLargerThanOneFrame() throws Exception {
        try (ShipFixture f = new ShipFixture(dir)) {
            ShipSettings settings = new ShipSettings(0, Duration.ofMillis(5), ShipSettings.MAX_BATCH_BYTES,
                    Compression.NONE, Duration.ofSeconds(5), "async");
            GroupShipper shipper = f.start(settings);
            f.awaitCaughtUp(WAIT);
            f.link.refuse = true;
            f.link.cutAll();
            ShipFixture.await(WAIT, () -> shipper.status().state().equals("DISCONNECTED"), shipper::status);
            int blocks = 2 * 1024 * 1024 / ShipFixture.BLOCK;
            for (int i = 0; i < 6; i++) {
                f.group.write(1 + i % 2, (i / 2 % 2) * (long) blocks, f.pattern(blocks), false).get(10, TimeUnit.SECONDS);
            }
            f.group.flush().get(10, TimeUnit.SECONDS);

            f.link.refuse = false;
            f.awaitCaughtUp(WAIT);

            assertThat(f.link.batchParts.get()).isGreaterThanOrEqualTo(1);
            f.assertContiguous();
            f.assertReplicaEqualsPrimary();
        }
    }

    @Test
    void shouldDegradeSyncModeWhileThePeerIsUnreachableAndRestoreItOnceCaughtUp() throws Exception {
        try (ShipFixture f = new ShipFixture(dir)) {
            ShipSettings settings = new ShipSettings(0, Duration.ofMillis(5), 1024 * 1024, Compression.ZSTD,
                    Duration.ofMillis(800), "sync");
            GroupShipper shipper = f.start(settings);
            f.awaitCaughtUp(WAIT);
            f.link.refuse = true;
            f.link.cutAll();

            long start = System.nanoTime();
            f.group.write(1, 0, f.pattern(8), false).get(10, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(700));
            assertThat(shipper.effectiveMode()).isEqualTo("sync-degraded");
            f.group.write(1, 8, f.pattern(8), false).get(1, TimeUnit.SECONDS);

            f.link.refuse = false;
            f.awaitCaughtUp(WAIT);
            ShipFixture.await(WAIT, () -> shipper.effectiveMode().equals("sync"), shipper::status);
            f.assertReplicaEqualsPrimary();
        }
    }

    @Test
    void shouldCloseAtOnceWhileThePeerNeverAnswers() throws Exception {
        try (ShipFixture f = new ShipFixture(dir);
             MemoryLink silent = new MemoryLink((peer, session) -> new io.tidemark.replicator.link.FrameHandler() {
                 @Override
                 public void onFrame(io.tidemark.replicator.link.LinkSession s, int type, io.netty.buffer.ByteBuf p) {
                 }

                 @Override
                 public void onClose(io.tidemark.replicator.link.LinkSession s, Throwable cause) {
                 }
             })) {
            GroupShipper shipper = f.start(ShipFixture.settings("sync"), MemoryLink.DR, silent);
            ShipFixture.await(WAIT, () -> silent.connects.get() == 1, shipper::status);

            long start = System.nanoTime();
            shipper.close();

            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(2));
            assertThat(shipper.status().state()).isEqualTo("STOPPED");
            assertThat(f.group.peerGate()).isNull();
        }
    }
}
