package io.tidemark.replicator.dr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Every volume of a replicated group as of one sequence, read-only. Opening one copies nothing;
 * while it is open, retention does not advance the base past its sequence. Thread-safe: reads
 * may come from any number of threads, while records keep arriving and old ones age out.
 */
public interface PitView extends AutoCloseable {

    /** The last record this view includes. */
    long sequence();

    /** Timestamp of that record (primary clock). */
    Instant time();

    /** Bytes per block of the group's volumes. */
    int blockSize();

    /** Blocks of volume {@code volumeId}; fails naming the volume when the group has no such volume. */
    long blockCount(int volumeId);

    /**
     * Reads {@code dst.remaining()} bytes (a whole number of blocks) of volume {@code volumeId}
     * starting at block {@code lba}, as of {@link #sequence()}; advances {@code dst.position()}.
     *
     * @throws IllegalArgumentException when the range is not whole blocks or lies outside the volume
     * @throws IllegalStateException    when the view is closed
     */
    void read(int volumeId, long lba, ByteBuffer dst) throws IOException;

    /** Releases the pin; later reads fail. Idempotent. */
    @Override
    void close();
}
