package io.tidemark.journal.store;

import io.tidemark.nativeio.AlignedBuffers;
import io.tidemark.nativeio.NativeFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Block I/O on a {@link NativeFile}, shared by the file and raw-device stores: range checks,
 * pread/pwrite straight from aligned direct buffers, and per-thread bounce buffers for heap
 * or misaligned ones. Thread-safe as {@link BlockDevice} requires; the hot path allocates
 * nothing and takes no lock.
 */
abstract class NativeBlockStore implements BlockDevice {

    private static final ByteBuffer ZEROS = AlignedBuffers.allocate(BounceBuffer.MAX_BYTES).asReadOnlyBuffer();

    protected final NativeFile file;
    protected final int blockSize;
    private final int blockShift;
    /** Buffer address alignment pwrite/pread need here: the O_DIRECT memory alignment, else 1. */
    private final int memoryAlignment;
    private volatile long blockCount;

    NativeBlockStore(NativeFile file, int blockSize, long blockCount, int memoryAlignment) {
        this.file = file;
        this.blockSize = blockSize;
        this.blockShift = Integer.numberOfTrailingZeros(blockSize);
        this.blockCount = blockCount;
        this.memoryAlignment = memoryAlignment;
    }

    @Override
    public final int blockSize() {
        return blockSize;
    }

    @Override
    public final long blockCount() {
        return blockCount;
    }

    /** True when the file was opened with O_DIRECT (false: buffered I/O + fdatasync). */
    public final boolean directIo() {
        return file.direct();
    }

    protected final void setBlockCount(long blocks) {
        blockCount = blocks;
    }

    @Override
    public final void read(long block, ByteBuffer dst) throws IOException {
        int length = dst.remaining();
        long offset = checkRange(block, length);
        int position = dst.position();
        if (passesThrough(dst)) {
            int read = file.read(dst, offset);
            zeroFill(dst, position + read, length - read);
            return;
        }
        BounceBuffer bounce = BounceBuffer.forThread();
        for (int done = 0; done < length; ) {
            int chunk = Math.min(length - done, BounceBuffer.MAX_BYTES);
            ByteBuffer buffer = bounce.buffer(chunk);
            int read = file.read(bounce.address(), chunk, offset + done);
            dst.put(position + done, buffer, 0, read);
            zeroFill(dst, position + done + read, chunk - read);
            done += chunk;
        }
    }

    @Override
    public final void write(long block, ByteBuffer src) throws IOException {
        int length = src.remaining();
        long offset = checkRange(block, length);
        if (passesThrough(src)) {
            file.write(src, offset);
            return;
        }
        int position = src.position();
        BounceBuffer bounce = BounceBuffer.forThread();
        for (int done = 0; done < length; ) {
            int chunk = Math.min(length - done, BounceBuffer.MAX_BYTES);
            bounce.buffer(chunk).put(0, src, position + done, chunk);
            file.write(bounce.address(), chunk, offset + done);
            done += chunk;
        }
    }

    @Override
    public void flush() throws IOException {
        file.fdatasync();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /** Writes zeros over the byte range (for stores that cannot deallocate it). */
    protected final void writeZeros(long offset, long length) throws IOException {
        long zerosAddress = AlignedBuffers.address(ZEROS);
        for (long done = 0; done < length; ) {
            int chunk = (int) Math.min(length - done, ZEROS.capacity());
            file.write(zerosAddress, chunk, offset + done);
            done += chunk;
        }
    }

    /** Validates {@code blocks} blocks from {@code block}; returns the byte offset of {@code block}. */
    protected final long checkBlocks(long block, long blocks) {
        long count = blockCount;
        if (block < 0 || blocks < 0 || block > count || blocks > count - block) {
            throw new IllegalArgumentException("blocks " + block + "+" + blocks
                    + " (expected: within 0.." + count + " of " + file.path() + ")");
        }
        return block << blockShift;
    }

    private long checkRange(long block, int length) {
        if ((length & (blockSize - 1)) != 0) {
            throw new IllegalArgumentException("buffer length: " + length
                    + " (expected: a multiple of the block size " + blockSize + ")");
        }
        return checkBlocks(block, length >>> blockShift);
    }

    private boolean passesThrough(ByteBuffer buffer) {
        return buffer.isDirect() && (memoryAlignment == 1 || AlignedBuffers.isAligned(buffer, memoryAlignment));
    }

    private static void zeroFill(ByteBuffer dst, int index, int length) {
        for (int done = 0; done < length; ) {
            int chunk = Math.min(length - done, ZEROS.capacity());
            dst.put(index + done, ZEROS, 0, chunk);
            done += chunk;
        }
    }
}
