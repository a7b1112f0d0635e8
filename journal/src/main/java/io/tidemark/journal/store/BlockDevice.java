package io.tidemark.journal.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A flat array of fixed-size blocks on stable storage: the backing store of a volume.
 *
 * <p>Implementations are thread-safe: reads and writes from any number of threads run
 * concurrently (positional I/O, no global lock), and a read that starts after a write
 * returned sees that write. Overlapping concurrent writes land in an unspecified order, as
 * on a disk. {@link #close()} must not race with I/O still in flight.
 *
 * <p>Buffers are used between position and limit, whose length is a whole number of blocks;
 * their position and limit are left unchanged. Heap, direct and misaligned buffers are all
 * accepted; aligned direct buffers take the fastest path.
 */
public interface BlockDevice extends Closeable {

    /** Bytes per block. */
    int blockSize();

    /** Number of blocks; grows after {@link #resize}. */
    long blockCount();

    /** Fills {@code dst} with the blocks starting at {@code block}; unwritten blocks read as zeros. */
    void read(long block, ByteBuffer dst) throws IOException;

    /** Writes {@code src} to the blocks starting at {@code block}; durable only after {@link #flush()}. */
    void write(long block, ByteBuffer src) throws IOException;

    /** Makes every write that returned before this call durable. */
    void flush() throws IOException;

    /** Deallocates {@code blocks} blocks from {@code block}: later reads return zeros. */
    void unmap(long block, long blocks) throws IOException;

    /** Grows the device to {@code newBlockCount} blocks (new blocks read as zeros); shrinking is refused. */
    void resize(long newBlockCount) throws IOException;

    /**
     * Provisioning status of the extent that starts at {@code block}: whether it is mapped
     * and how many blocks from {@code block} (at least 1, at most to the end) share that state.
     * A device that cannot tell reports everything mapped.
     */
    Extent mappingStatus(long block) throws IOException;

    /** True when unmapped blocks really release space and {@link #mappingStatus} tells them apart. */
    boolean thinProvisioned();

    /** A run of blocks that share one provisioning state. */
    record Extent(boolean mapped, long blocks) {
        public Extent {
            if (blocks < 1) {
                throw new IllegalArgumentException("extent blocks: " + blocks + " (expected: >= 1)");
            }
        }
    }
}
