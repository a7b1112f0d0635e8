package io.tidemark.iscsi.spi;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An in-memory {@link LogicalUnit} for tests: sparse (only written chunks of
 * {@value #CHUNK_BLOCKS} blocks take memory), thread-safe, with an atomic compare-and-write and
 * an in-memory {@link DurableState}. Counters let tests see flushes and FUA writes.
 */
public final class MemoryLogicalUnit implements LogicalUnit {

    /** Allocation granularity: 8 blocks of 512 bytes, the 4 KiB physical block we report. */
    public static final int CHUNK_BLOCKS = 8;

    private final int blockSize;
    private final int chunkBytes;
    private final AtomicLong blockCount;
    private final ConcurrentHashMap<Long, byte[]> chunks = new ConcurrentHashMap<>();
    // One lock for the whole unit: readers share it; every mutation is exclusive, so CAW is atomic.
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final MemoryDurableState reservations = new MemoryDurableState();
    private final AtomicInteger flushes = new AtomicInteger();
    private final AtomicInteger fuaWrites = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();
    private volatile RuntimeException readFailure;

    public MemoryLogicalUnit(long blockCount) {
        this(512, blockCount);
    }

    public MemoryLogicalUnit(int blockSize, long blockCount) {
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("blockSize: " + blockSize + " (expected: a power of two)");
        }
        if (blockCount < 0) {
            throw new IllegalArgumentException("blockCount: " + blockCount + " (expected: >= 0)");
        }
        this.blockSize = blockSize;
        this.chunkBytes = blockSize * CHUNK_BLOCKS;
        this.blockCount = new AtomicLong(blockCount);
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return blockCount.get();
    }

    /** Grows or shrinks the unit (tests of CAPACITY DATA HAS CHANGED); shrinking drops data. */
    public void resize(long blocks) {
        lock.writeLock().lock();
        try {
            blockCount.set(blocks);
            chunks.keySet().removeIf(c -> c * CHUNK_BLOCKS >= blocks);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Makes every later read fail with {@code failure} (null: reads work again). */
    public void failReads(RuntimeException failure) {
        this.readFailure = failure;
    }

    public int flushCount() {
        return flushes.get();
    }

    public int fuaWriteCount() {
        return fuaWrites.get();
    }

    public int writeCount() {
        return writes.get();
    }

    /** Number of allocated chunks (to see that UNMAP released space). */
    public int allocatedChunks() {
        return chunks.size();
    }

    @Override
    public CompletableFuture<Void> read(long lba, ByteBuffer dst) {
        RuntimeException failure = readFailure;
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        lock.readLock().lock();
        try {
            checkRange(lba, dst.remaining());
            copyOut(lba * blockSize, dst.duplicate());
            dst.position(dst.limit());
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public CompletableFuture<Void> write(long lba, ByteBuffer src, boolean fua) {
        lock.writeLock().lock();
        try {
            checkRange(lba, src.remaining());
            copyIn(lba * blockSize, src.duplicate());
            src.position(src.limit());
            writes.incrementAndGet();
            if (fua) {
                fuaWrites.incrementAndGet();
            }
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public CompletableFuture<Void> flush() {
        flushes.incrementAndGet();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> unmap(long lba, long blocks) {
        lock.writeLock().lock();
        try {
            checkBlocks(lba, blocks);
            deallocate(lba, blocks);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public CompletableFuture<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean unmap) {
        lock.writeLock().lock();
        try {
            if (block.remaining() != blockSize) {
                throw new IllegalArgumentException("write-same block: " + block.remaining()
                        + " bytes (expected: " + blockSize + ")");
            }
            checkBlocks(lba, blocks);
            if (unmap && isZero(block)) {
                deallocate(lba, blocks);
            } else {
                for (long i = 0; i < blocks; i++) {
                    copyIn((lba + i) * blockSize, block.duplicate());
                }
            }
            writes.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public CompletableFuture<Long> compareAndWrite(long lba, ByteBuffer compare, ByteBuffer data) {
        lock.writeLock().lock();
        try {
            if (compare.remaining() != data.remaining()) {
                throw new IllegalArgumentException("compare " + compare.remaining() + " bytes, data "
                        + data.remaining() + " bytes (expected: equal)");
            }
            checkRange(lba, compare.remaining());
            ByteBuffer current = ByteBuffer.allocate(compare.remaining());
            copyOut(lba * blockSize, current.duplicate());
            long mismatch = current.mismatch(compare.duplicate());
            if (mismatch >= 0) {
                return CompletableFuture.completedFuture(mismatch);
            }
            copyIn(lba * blockSize, data.duplicate());
            writes.incrementAndGet();
            return CompletableFuture.completedFuture(-1L);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public LbaStatus lbaStatus(long lba) {
        lock.readLock().lock();
        try {
            long end = blockCount.get();
            if (lba < 0 || lba >= end) {
                throw new IllegalArgumentException("lba: " + lba + " (expected: 0.." + (end - 1) + ")");
            }
            long chunk = lba / CHUNK_BLOCKS;
            boolean mapped = chunks.containsKey(chunk);
            long next = chunk + 1;
            while (next * CHUNK_BLOCKS < end && chunks.containsKey(next) == mapped) {
                next++;
            }
            return new LbaStatus(mapped, Math.min(end, next * CHUNK_BLOCKS) - lba);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public DurableState reservationState() {
        return reservations;
    }

    private void checkRange(long lba, int bytes) {
        if (bytes % blockSize != 0) {
            throw new IllegalArgumentException("buffer: " + bytes + " bytes (expected: a multiple of "
                    + blockSize + ")");
        }
        checkBlocks(lba, bytes / blockSize);
    }

    private void checkBlocks(long lba, long blocks) {
        long end = blockCount.get();
        if (lba < 0 || blocks < 0 || lba + blocks > end || lba + blocks < lba) {
            throw new IllegalArgumentException("range " + lba + "+" + blocks + " (expected within 0.." + end + ")");
        }
    }

    private void copyOut(long offset, ByteBuffer dst) {
        while (dst.hasRemaining()) {
            long chunk = offset / chunkBytes;
            int within = (int) (offset % chunkBytes);
            int n = Math.min(dst.remaining(), chunkBytes - within);
            byte[] data = chunks.get(chunk);
            if (data == null) {
                for (int i = 0; i < n; i++) {
                    dst.put((byte) 0);
                }
            } else {
                dst.put(data, within, n);
            }
            offset += n;
        }
    }

    private void copyIn(long offset, ByteBuffer src) {
        while (src.hasRemaining()) {
            long chunk = offset / chunkBytes;
            int within = (int) (offset % chunkBytes);
            int n = Math.min(src.remaining(), chunkBytes - within);
            byte[] data = chunks.computeIfAbsent(chunk, c -> new byte[chunkBytes]);
            src.get(data, within, n);
            offset += n;
        }
    }

    private void deallocate(long lba, long blocks) {
        long offset = lba * blockSize;
        long end = (lba + blocks) * blockSize;
        while (offset < end) {
            long chunk = offset / chunkBytes;
            int within = (int) (offset % chunkBytes);
            int n = (int) Math.min(end - offset, chunkBytes - within);
            if (within == 0 && n == chunkBytes) {
                chunks.remove(chunk);
            } else {
                byte[] data = chunks.get(chunk);
                if (data != null) {
                    Arrays.fill(data, within, within + n, (byte) 0);
                    if (isZero(ByteBuffer.wrap(data))) {
                        chunks.remove(chunk);
                    }
                }
            }
            offset += n;
        }
    }

    private static boolean isZero(ByteBuffer b) {
        for (int i = b.position(); i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** A {@link DurableState} kept in memory; "durable" for the lifetime of the object. */
    public static final class MemoryDurableState implements DurableState {
        private volatile byte[] value = new byte[0];
        private final AtomicInteger stores = new AtomicInteger();

        @Override
        public byte[] load() {
            return value.clone();
        }

        @Override
        public void store(byte[] v) {
            value = v.clone();
            stores.incrementAndGet();
        }

        public int storeCount() {
            return stores.get();
        }
    }
}
