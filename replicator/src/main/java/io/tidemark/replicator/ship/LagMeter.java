package io.tidemark.replicator.ship;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The replication lag (RPO) and throughput of one shipper. Lag seconds = now - time the oldest
 * record appended but not acknowledged by the DR was appended (0 when caught up): its journal
 * timestamp when it was shipped (each batch remembers its first record's, kept across
 * reconnections), else the time the shipper first saw the journal reach it (sampled each round
 * of the ship thread). Lag bytes = journal bytes shipped and not acknowledged, plus an estimate
 * for records not read yet. Not thread-safe: the ship thread updates it; the published values
 * are volatile.
 */
final class LagMeter {

    /** Appended-sequence samples kept at most (about a minute and a half at one per millisecond). */
    private static final int MAX_SAMPLES = 100_000;

    private final ArrayDeque<long[]> shipped = new ArrayDeque<>(); // {first seq, last seq, first timestamp micros}
    private final ArrayDeque<long[]> appendedAt = new ArrayDeque<>(); // {appended seq, first seen nanos}
    private long lastSampled;
    private double avgRecordBytes = 4096;
    private long rateWindowStart;
    private long rateWindowBytes;
    private long wireBytes;
    private volatile double lagSeconds;
    private volatile long lagBytes;
    private volatile double bytesPerSecond;

    LagMeter(long nowNanos) {
        this.rateWindowStart = nowNanos;
    }

    /** A batch of {@code records} records went out. */
    void shipped(long first, long last, long firstTimestampMicros, int records, long journalBytes, long wire) {
        shipped.addLast(new long[] {first, last, firstTimestampMicros});
        avgRecordBytes = avgRecordBytes * 0.9 + 0.1 * ((double) journalBytes / records);
        wireBytes += wire;
    }

    /** Shipping resumes after {@code sequence}: batches past it will be shipped again. */
    void rewind(long sequence) {
        while (!shipped.isEmpty() && shipped.peekLast()[0] > sequence) {
            shipped.removeLast();
        }
    }

    /** Recomputes the published values. */
    void update(long nowNanos, long nowMicros, long appended, long acked, long read, long inFlightJournalBytes) {
        while (!shipped.isEmpty() && shipped.peekFirst()[1] <= acked) {
            shipped.removeFirst();
        }
        while (!appendedAt.isEmpty() && appendedAt.peekFirst()[0] <= acked) {
            appendedAt.removeFirst();
        }
        if (appended > lastSampled && appended > acked && appendedAt.size() < MAX_SAMPLES) {
            appendedAt.addLast(new long[] {appended, nowNanos});
            lastSampled = appended;
        }
        if (acked >= appended) {
            lagSeconds = 0;
            lagBytes = 0;
        } else {
            long[] oldestShipped = shipped.peekFirst();
            long[] oldestSeen = appendedAt.peekFirst();
            // shipping is in order: if anything shipped is unacknowledged, the oldest unacknowledged record is in it
            lagSeconds = oldestShipped != null ? Math.max(0, (nowMicros - oldestShipped[2]) / 1e6)
                    : oldestSeen != null ? (nowNanos - oldestSeen[1]) / 1e9 : 0;
            lagBytes = inFlightJournalBytes + (long) (Math.max(0, appended - Math.max(read, acked)) * avgRecordBytes);
        }
        if (nowNanos - rateWindowStart >= TimeUnit.SECONDS.toNanos(1)) {
            bytesPerSecond = (wireBytes - rateWindowBytes) / ((nowNanos - rateWindowStart) / 1e9);
            rateWindowBytes = wireBytes;
            rateWindowStart = nowNanos;
        }
    }

    double lagSeconds() {
        return lagSeconds;
    }

    long lagBytes() {
        return lagBytes;
    }

    double bytesPerSecond() {
        return bytesPerSecond;
    }
}
