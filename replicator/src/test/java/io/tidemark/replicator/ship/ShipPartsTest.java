package io.tidemark.replicator.ship;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The shipper's small parts: lag meter, token bucket, sync gate, in-flight window. */
class ShipPartsTest {

    private static final long S = 1_000_000_000L;

    @Test
    void lagShouldBeTheAgeOfTheOldestUnacknowledgedRecordAndZeroWhenCaughtUp() {
        LagMeter lag = new LagMeter(0);
        lag.update(S, 100_000_000, 10, 10, 10, 0);
        assertThat(lag.lagSeconds()).isZero();

        lag.shipped(11, 20, 100_000_000 + 500_000, 10, 40_960, 41_000); // first record written at t = 100.5 s
        lag.update(2 * S, 102_000_000, 20, 10, 20, 40_960);
        assertThat(lag.lagSeconds()).isEqualTo(1.5);
        assertThat(lag.lagBytes()).isEqualTo(40_960);

        lag.update(3 * S, 103_000_000, 30, 20, 20, 0); // batch acked; 21..30 not read yet, first seen now
        lag.update(5 * S, 105_000_000, 30, 20, 20, 0);
        assertThat(lag.lagSeconds()).isEqualTo(2.0);
        assertThat(lag.lagBytes()).isPositive();

        lag.update(6 * S, 106_000_000, 30, 30, 30, 0);
        assertThat(lag.lagSeconds()).isZero();
        assertThat(lag.lagBytes()).isZero();
    }

    @Test
    void lagShouldKeepTheTimestampOfShippedRecordsAcrossAReconnection() {
        LagMeter lag = new LagMeter(0);
        lag.shipped(1, 10, 50_000_000, 10, 4096, 4096);
        lag.shipped(11, 20, 51_000_000, 10, 4096, 4096);
        lag.rewind(10); // the DR holds 1..10 durably: 11..20 go again
        lag.shipped(11, 25, 51_000_000, 15, 4096, 4096);
        lag.update(S, 60_000_000, 25, 5, 25, 0);
        assertThat(lag.lagSeconds()).isEqualTo(10.0);
    }

    @Test
    void bucketShouldLetABurstThroughThenPaceAtTheRate() {
        TokenBucket bucket = new TokenBucket(1_000_000, 0);
        assertThat(bucket.take(100_000, 0)).isZero();
        assertThat(bucket.take(500_000, 0)).isEqualTo(500_000_000L);
        assertThat(bucket.take(500_000, S / 2)).isEqualTo(500_000_000L);
        assertThat(new TokenBucket(0, 0).take(Long.MAX_VALUE / 2, 0)).isZero();
    }

    @Test
    void gateShouldHoldUntilAcknowledgedAndReleaseEverythingWhenDegraded() {
        SyncGate gate = new SyncGate(5);
        assertThat(gate.whenAcknowledged(5)).isDone();
        CompletableFuture<Void> six = gate.whenAcknowledged(6);
        CompletableFuture<Void> eight = gate.whenAcknowledged(8);
        assertThat(six).isNotDone();
        assertThat(gate.oldestWaiting()).isEqualTo(6);

        gate.acknowledge(7);
        assertThat(six).isDone();
        assertThat(eight).isNotDone();
        assertThat(gate.oldestWaitNanos(System.nanoTime())).isPositive();

        gate.degrade();
        assertThat(eight).isDone();
        assertThat(gate.whenAcknowledged(100)).isDone();
        gate.restore();
        assertThat(gate.whenAcknowledged(100)).isNotDone();
        gate.releaseAll();
        assertThat(gate.oldestWaiting()).isEqualTo(-1);
    }

    @Test
    void inFlightShouldForgetAcknowledgedBatches() {
        InFlight f = new InFlight();
        f.add(10, 1000, 900);
        f.add(20, 2000, 1800);
        f.acknowledge(10);
        assertThat(f.wireBytes()).isEqualTo(2000);
        assertThat(f.journalBytes()).isEqualTo(1800);
        f.acknowledge(19);
        assertThat(f.isEmpty()).isFalse();
        f.acknowledge(20);
        assertThat(f.isEmpty()).isTrue();
        assertThat(f.wireBytes()).isZero();
    }
}
