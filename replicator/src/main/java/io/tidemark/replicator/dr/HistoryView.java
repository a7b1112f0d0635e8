package io.tidemark.replicator.dr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link PitView} of one {@link DrHistory}: holds a pin until closed. Thread-safe. */
final class HistoryView implements PitView {

    private final DrHistory history;
    private final long sequence;
    private final Instant time;
    private final AtomicBoolean closed = new AtomicBoolean();

    HistoryView(DrHistory history, long sequence, Instant time) {
        this.history = history;
        this.sequence = sequence;
        this.time = time;
    }

    @Override
    public long sequence() {
        return sequence;
    }

    @Override
    public Instant time() {
        return time;
    }

    @Override
    public int blockSize() {
        return history.blockSize();
    }

    @Override
    public long blockCount(int volumeId) {
        return history.layout(volumeId).blockCount();
    }

    @Override
    public void read(int volumeId, long lba, ByteBuffer dst) throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("view of group " + history.group() + " at seq " + sequence + " is closed");
        }
        VolumeLayout v = history.layout(volumeId);
        if (dst.remaining() % v.blockSize() != 0) {
            throw new IllegalArgumentException("read length: " + dst.remaining() + " (expected: a multiple of the block size "
                    + v.blockSize() + ")");
        }
        long count = dst.remaining() / v.blockSize();
        if (lba < 0 || lba > v.blockCount() || count > v.blockCount() - lba) {
            throw new IllegalArgumentException("read of volume " + volumeId + ": blocks " + lba + "+" + count
                    + " (expected: within 0.." + v.blockCount() + ")");
        }
        history.reader().read(v, sequence, lba, dst);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            history.unpin(sequence);
        }
    }

    @Override
    public String toString() {
        return "PitView[" + history.group() + " at seq " + sequence + ", " + time + "]";
    }
}
