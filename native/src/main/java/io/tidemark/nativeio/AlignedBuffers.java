package io.tidemark.nativeio;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;

/** Direct buffers whose native address is aligned for O_DIRECT, and their addresses. */
public final class AlignedBuffers {

    /** Memory alignment that satisfies O_DIRECT on every device Tidemark supports. */
    public static final int ALIGNMENT = 4096;

    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private AlignedBuffers() {
    }

    /** A direct buffer of {@code capacity} bytes starting on a {@link #ALIGNMENT} boundary. */
    public static ByteBuffer allocate(int capacity) {
        return allocate(capacity, ALIGNMENT);
    }

    /** A direct buffer of {@code capacity} bytes starting on an {@code alignment} boundary. */
    public static ByteBuffer allocate(int capacity, int alignment) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 0)");
        }
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment: " + alignment + " (expected: a power of two)");
        }
        if ((long) capacity + alignment - 1 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: <= "
                    + (Integer.MAX_VALUE - alignment + 1) + " with alignment " + alignment + ")");
        }
        ByteBuffer raw = ByteBuffer.allocateDirect(capacity + alignment - 1);
        int skip = (int) (-MEMORY.getDirectBufferAddress(raw) & (alignment - 1));
        return raw.position(skip).limit(skip + capacity).slice();
    }

    /** The native address of a direct buffer's first byte (index 0, not its position). */
    public static long address(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("buffer is not direct: " + direct);
        }
        return MEMORY.getDirectBufferAddress(direct);
    }

    /** True when {@code buffer} is direct and its position's address is a multiple of {@code alignment}. */
    public static boolean isAligned(ByteBuffer buffer, int alignment) {
        return buffer.isDirect() && ((address(buffer) + buffer.position()) & (alignment - 1)) == 0;
    }
}
