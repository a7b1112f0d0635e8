package io.tidemark.replicator.dr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Lock;
import org.rocksdb.RocksIterator;

/**
 * Reads blocks as of a sequence: one forward pass over the index entries of the range (per
 * sector, the newest entry at or below the sequence wins; a grain with many versions is
 * resolved backwards from the sequence instead), the rest from the base images in coalesced
 * runs. Correct while records arrive (their entries have higher
 * sequences) and while retention runs: it applies records to the base before it deletes their
 * entries, never past a pinned sequence, and trims journal files only under the write side of
 * {@code trimLock}, whose read side a read holds. Thread-safe.
 */
final class ViewReader {

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();
    /** Versions of one grain walked forward before switching to a backward walk from the view's sequence. */
    private static final int HOT_VERSIONS = 16;

    private final HistoryStore store;
    private final BaseImages base;
    private final PayloadCache cache;
    private final Lock trimReadLock;

    ViewReader(HistoryStore store, BaseImages base, PayloadCache cache, Lock trimReadLock) {
        this.store = store;
        this.base = base;
        this.cache = cache;
        this.trimReadLock = trimReadLock;
    }

    /** Fills dst (whole blocks, range checked by the caller) with blocks from {@code lba} as of {@code sequence}. */
    void read(VolumeLayout v, long sequence, long lba, ByteBuffer dst) throws IOException {
        int bs = v.blockSize();
        int spg = v.sectorsPerGrain();
        int volumeId = v.volumeId();
        int start = dst.position();
        long count = dst.remaining() / bs;
        if (count == 0) {
            return;
        }
        Run run = new Run(volumeId, bs, dst);
        Opened opened = new Opened();
        byte[] key = new byte[BlockIndexDescriptor.KEY_LENGTH];
        byte[][] sources = new byte[spg][];
        trimReadLock.lock();
        try (RocksIterator it = store.iterator(store.index())) { // fails when closed; close waits for the lock
            long first = v.grainOf(lba);
            BlockIndexDescriptor.putKey(key, volumeId, first, 0);
            it.seek(key);
            // one forward pass over the range's entries; a seek only past versions newer than the view, or for a hot grain
            for (long g = first, last = v.grainOf(lba + count - 1); g <= last; g++) {
                int need = v.maskIn(g, lba, count);
                java.util.Arrays.fill(sources, null);
                int versions = 0;
                boolean skip = false;
                while (it.isValid()) {
                    byte[] k = it.key();
                    long grain = BlockIndexDescriptor.grainOf(k);
                    if (BlockIndexDescriptor.volumeOf(k) != volumeId || grain > g) {
                        break;
                    }
                    if (BlockIndexDescriptor.sequenceOf(k) > sequence || ++versions > HOT_VERSIONS) {
                        skip = true;
                        break;
                    }
                    byte[] value = it.value();
                    for (int s = 0, m = BlockIndexDescriptor.maskOf(value); m != 0; s++, m >>>= 1) {
                        if ((m & 1) != 0) {
                            sources[s] = value; // ascending sequence: the newest at or below the view wins
                        }
                    }
                    it.next();
                }
                if (skip) {
                    if (versions > HOT_VERSIONS) {
                        newestFirst(it, key, volumeId, g, sequence, need, sources);
                    }
                    BlockIndexDescriptor.putKey(key, volumeId, g + 1, 0);
                    it.seek(key);
                }
                fill(g * spg, need, sources, dst, start, lba, bs, run, opened);
            }
            run.flush();
        } finally {
            trimReadLock.unlock();
        }
        dst.position(start + (int) (count * bs));
    }

    /** For a grain with many versions: walks back from the newest at or below the sequence until every needed sector has one. */
    private static void newestFirst(RocksIterator it, byte[] key, int volumeId, long g, long sequence, int need,
                                    byte[][] sources) {
        java.util.Arrays.fill(sources, null);
        BlockIndexDescriptor.putKey(key, volumeId, g, sequence);
        int missing = need;
        for (it.seekForPrev(key); missing != 0 && it.isValid(); it.prev()) {
            byte[] k = it.key();
            if (BlockIndexDescriptor.volumeOf(k) != volumeId || BlockIndexDescriptor.grainOf(k) != g) {
                break;
            }
            byte[] value = it.value();
            int m = BlockIndexDescriptor.maskOf(value) & missing;
            for (int s = 0, bits = m; bits != 0; s++, bits >>>= 1) {
                if ((bits & 1) != 0) {
                    sources[s] = value;
                }
            }
            missing &= ~m;
        }
    }

    /** Copies the grain's needed sectors from their index entries (runs of one entry at once), or queues them for the base. */
    private void fill(long grainStart, int need, byte[][] sources, ByteBuffer dst, int start, long lba, int bs, Run run,
                      Opened opened) throws IOException {
        int sectors = sources.length;
        for (int s = 0; s < sectors; ) {
            if ((need & (1 << s)) == 0) {
                s++;
                continue;
            }
            long block = grainStart + s;
            int to = start + (int) ((block - lba) * bs);
            byte[] value = sources[s];
            if (value == null) {
                run.add(block, to);
                s++;
                continue;
            }
            int end = s + 1;
            while (end < sectors && (need & (1 << end)) != 0 && sources[end] == value) {
                end++;
            }
            int length = (end - s) * bs;
            byte kind = BlockIndexDescriptor.kindOf(value);
            if (kind == BlockIndexDescriptor.KIND_ZERO) {
                zero(dst, to, length);
            } else {
                ByteBuffer payload = opened.get(BlockIndexDescriptor.journalIndexOf(value),
                        BlockIndexDescriptor.filePositionOf(value));
                if (kind == BlockIndexDescriptor.KIND_DATA) {
                    dst.put(to, payload, BlockIndexDescriptor.payloadOffsetOf(value) + s * bs, length);
                } else {
                    for (int at = to; at < to + length; at += bs) {
                        dst.put(at, payload, 0, bs); // PATTERN: the one-block payload everywhere
                    }
                }
            }
            s = end;
        }
    }

    private static void zero(ByteBuffer dst, int at, int length) {
        for (int done = 0; done < length; ) {
            int n = Math.min(ZEROS.capacity(), length - done);
            dst.put(at + done, ZEROS, 0, n);
            done += n;
        }
    }

    /**
     * The payloads one read has opened so far (the last {@link #MAX} records): a record spanning
     * several grains of the read (a 64 KiB write is 16) is taken from the cache, or opened, once
     * per read, not once per grain, even when the cache evicts it meanwhile. Not thread-safe: one
     * per read.
     */
    private final class Opened {
        private static final int MAX = 32;
        private final long[] indexes = new long[MAX];
        private final ByteBuffer[] payloads = new ByteBuffer[MAX];
        private int size;
        private int next;

        ByteBuffer get(long journalIndex, long filePosition) throws IOException {
            for (int i = 0; i < size; i++) {
                if (indexes[i] == journalIndex) {
                    return payloads[i];
                }
            }
            ByteBuffer payload = cache.get(journalIndex, filePosition);
            // absolute gets/puts only from here on, so one duplicate serves every grain
            int slot = size < MAX ? size++ : next++ % MAX;
            indexes[slot] = journalIndex;
            payloads[slot] = payload;
            return payload;
        }
    }

    /** A run of consecutive blocks to read from the base image in one call. Not thread-safe: one per read. */
    private final class Run {
        private final int volumeId;
        private final int bs;
        private final ByteBuffer dst;
        private long firstBlock = -1;
        private int dstOffset;
        private int blocks;

        Run(int volumeId, int bs, ByteBuffer dst) {
            this.volumeId = volumeId;
            this.bs = bs;
            this.dst = dst;
        }

        void add(long block, int at) throws IOException {
            if (blocks > 0 && firstBlock + blocks == block) {
                blocks++;
                return;
            }
            flush();
            firstBlock = block;
            dstOffset = at;
            blocks = 1;
        }

        void flush() throws IOException {
            if (blocks == 0) {
                return;
            }
            ByteBuffer target = dst.duplicate();
            target.limit(dstOffset + blocks * bs).position(dstOffset);
            base.read(volumeId, firstBlock * bs, target);
            blocks = 0;
        }
    }
}
