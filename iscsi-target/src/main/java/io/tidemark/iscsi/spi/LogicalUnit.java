package io.tidemark.iscsi.spi;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The backstore as the iSCSI target sees it: a flat array of logical blocks plus the few
 * operations SBC-3 needs. The target knows nothing else about storage (no journals, no
 * replication). Implementations are thread-safe: the target calls them from several worker
 * threads at once.
 *
 * <p>Calls may block the calling thread (the target never calls from a network event loop);
 * the returned future may also complete later on another thread, e.g. when a write has gone
 * through a journal. Offsets are in logical blocks of {@link #blockSize()} bytes; buffers are
 * read from / written to between their position and limit, whose length is a whole number of
 * blocks.
 */
public interface LogicalUnit {

    /** Logical block size in bytes (512 for every LUN Tidemark serves today). */
    int blockSize();

    /** Number of logical blocks; may grow between calls after a resize. */
    long blockCount();

    /** Fills {@code dst} (position..limit) with the blocks starting at {@code lba}. */
    CompletableFuture<Void> read(long lba, ByteBuffer dst);

    /** Writes {@code src}; with {@code fua} the data is durable when the future completes. */
    CompletableFuture<Void> write(long lba, ByteBuffer src, boolean fua);

    /** Makes every completed write durable (SYNCHRONIZE CACHE). */
    CompletableFuture<Void> flush();

    /** Deallocates the range: later reads return zeros. */
    CompletableFuture<Void> unmap(long lba, long blocks);

    /**
     * Writes {@code block} (exactly one logical block) to every block of the range; with
     * {@code unmap} the range may be deallocated instead when {@code block} is all zeros.
     */
    CompletableFuture<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean unmap);

    /**
     * Atomically, against every other write to this unit: compares the blocks at {@code lba}
     * with {@code compare}; if equal writes {@code data} (same length) and returns -1, else
     * returns the byte offset of the first difference and writes nothing.
     */
    CompletableFuture<Long> compareAndWrite(long lba, ByteBuffer compare, ByteBuffer data);

    /**
     * Provisioning status of the extent starting at {@code lba} (GET LBA STATUS): whether it
     * is mapped and how many blocks from {@code lba} share that state (at least 1).
     */
    LbaStatus lbaStatus(long lba);

    /** Durable storage for this unit's persistent reservations (survives restarts). */
    DurableState reservationState();

    /**
     * True when the medium is write-protected (a point-in-time view): the target reports WP in
     * MODE SENSE, advertises no logical block provisioning, and ends every command that would
     * change the medium with DATA PROTECT / WRITE PROTECTED without calling the unit.
     * Reservations and SYNCHRONIZE CACHE still work. Fixed for the unit's lifetime.
     */
    default boolean readOnly() {
        return false;
    }

    record LbaStatus(boolean mapped, long blocks) {}
}
