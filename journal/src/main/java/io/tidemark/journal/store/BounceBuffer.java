package io.tidemark.journal.store;

import io.tidemark.nativeio.AlignedBuffers;
import java.nio.ByteBuffer;

/**
 * A per-thread aligned direct buffer that carries heap or misaligned data to and from
 * O_DIRECT files. Not thread-safe: each thread uses only its own, via {@link #forThread()}.
 */
final class BounceBuffer {

    /** Largest bounce buffer per thread; bigger I/Os are split into chunks of this size. */
    static final int MAX_BYTES = 1 << 20;

    private static final int MIN_BYTES = 64 * 1024;

    private static final ThreadLocal<BounceBuffer> PER_THREAD = ThreadLocal.withInitial(BounceBuffer::new);

    private ByteBuffer buffer;
    private long address;

    private BounceBuffer() {
    }

    static BounceBuffer forThread() {
        return PER_THREAD.get();
    }

    /** An aligned buffer of at least {@code bytes} (at most {@link #MAX_BYTES}); contents undefined. */
    ByteBuffer buffer(int bytes) {
        if (buffer == null || buffer.capacity() < bytes) {
            int capacity = Math.min(MAX_BYTES, Math.max(MIN_BYTES, Integer.highestOneBit(Math.max(1, bytes - 1)) << 1));
            buffer = AlignedBuffers.allocate(capacity);
            address = AlignedBuffers.address(buffer);
        }
        return buffer;
    }

    /** Native address of the buffer last returned by {@link #buffer(int)}. */
    long address() {
        return address;
    }
}
