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
 * {@code trimLock}, whose read side a read holds. The index iterator is a pooled one
 * ({@link HistoryStore#acquireIndexIterator}), refreshed as the read starts: a read sees every
 * entry indexed before it started, and holds the store open until it gives the iterator back.
 * Thread-safe.
 */
final class ViewReader {

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();
    /** Versions of one grain walked forward before switching to a backward walk from the view's sequence. */
    private static final int HOT_VERSIONS = 16;
    /** Per thread, shared by every reader: holds no reference to a reader (nor, between reads, to a buffer). */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

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
        Scratch sc = SCRATCH.get();
        sc.begin(volumeId, bs, dst, spg);
        byte[] key = sc.key;
        int[] sources = sc.sources;
        trimReadLock.lock();
        RocksIterator it = null;
        try {
            it = store.acquireIndexIterator(); // pooled, refreshed: every entry indexed before now; fails when closed
            long first = v.grainOf(lba);
            BlockIndexDescriptor.putKey(key, volumeId, first, 0);
            it.seek(key);
            // one forward pass over the range's entries; a seek only past versions newer than the view, or for a hot grain
            for (long g = first, last = v.grainOf(lba + count - 1); g <= last; g++) {
                int need = v.maskIn(g, lba, count);
                java.util.Arrays.fill(sources, 0, spg, -1);
                sc.entries = 0;
                int versions = 0;
                boolean skip = false;
                while (it.isValid()) {
                    sc.readKey(it);
                    if (BlockIndexDescriptor.volumeOf(key) != volumeId || BlockIndexDescriptor.grainOf(key) > g) {
                        break;
                    }
                    if (BlockIndexDescriptor.sequenceOf(key) > sequence || ++versions > HOT_VERSIONS) {
                        skip = true;
                        break;
                    }
                    int e = sc.readEntry(it);
                    for (int s = 0, m = sc.mask[e]; m != 0; s++, m >>>= 1) {
                        if ((m & 1) != 0) {
                            sources[s] = e; // ascending sequence: the newest at or below the view wins
                        }
                    }
                    it.next();
                }
                if (skip) {
                    if (versions > HOT_VERSIONS) {
                        newestFirst(it, sc, volumeId, g, sequence, need);
                    }
                    BlockIndexDescriptor.putKey(key, volumeId, g + 1, 0);
                    it.seek(key);
                }
                fill(g * spg, need, sc, dst, start, lba, bs);
            }
            sc.run.flush(base);
        } finally {
            if (it != null) {
                store.releaseIndexIterator(it); // before the trim lock: closing waits for both
            }
            trimReadLock.unlock();
            sc.end();
        }
        dst.position(start + (int) (count * bs));
    }

    /** For a grain with many versions: walks back from the newest at or below the sequence until every needed sector has one. */
    private static void newestFirst(RocksIterator it, Scratch sc, int volumeId, long g, long sequence, int need) {
        int[] sources = sc.sources;
        java.util.Arrays.fill(sources, -1);
        sc.entries = 0;
        byte[] key = sc.key;
        BlockIndexDescriptor.putKey(key, volumeId, g, sequence);
        int missing = need;
        for (it.seekForPrev(key); missing != 0 && it.isValid(); it.prev()) {
            sc.readKey(it);
            if (BlockIndexDescriptor.volumeOf(key) != volumeId || BlockIndexDescriptor.grainOf(key) != g) {
                break;
            }
            int m = sc.peekMask(it) & missing;
            if (m == 0) {
                continue;
            }
            int e = sc.decodeEntry(); // the value peekMask read
            for (int s = 0, bits = m; bits != 0; s++, bits >>>= 1) {
                if ((bits & 1) != 0) {
                    sources[s] = e;
                }
            }
            missing &= ~m;
        }
    }

    /** Copies the grain's needed sectors from their index entries (runs of one entry at once), or queues them for the base. */
    private void fill(long grainStart, int need, Scratch sc, ByteBuffer dst, int start, long lba, int bs) throws IOException {
        int[] sources = sc.sources;
        int sectors = sc.sectors;
        for (int s = 0; s < sectors; ) {
            if ((need & (1 << s)) == 0) {
                s++;
                continue;
            }
            long block = grainStart + s;
            int to = start + (int) ((block - lba) * bs);
            int e = sources[s];
            if (e < 0) {
                sc.run.add(block, to, base);
                s++;
                continue;
            }
            int end = s + 1;
            while (end < sectors && (need & (1 << end)) != 0 && sources[end] == e) {
                end++;
            }
            int length = (end - s) * bs;
            byte kind = sc.kind[e];
            if (kind == BlockIndexDescriptor.KIND_ZERO) {
                zero(dst, to, length);
            } else {
                ByteBuffer payload = sc.opened(sc.journalIndex[e], sc.filePosition[e], cache);
                if (kind == BlockIndexDescriptor.KIND_DATA) {
                    dst.put(to, payload, sc.payloadOffset[e] + s * bs, length);
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
     * One thread's working state for a read, reused from read to read so that a read allocates
     * nothing of its own: the key and value of the index entry under the iterator (copied into
     * these arrays, not allocated per entry), the entries of the current grain and which sector
     * each serves, the payloads this read has opened so far (a record spanning several grains of
     * the read, as a 64 KiB write spans 16, is taken from the cache, or opened, once per read, even
     * when the cache evicts it meanwhile), and the run of blocks to read from the base image in one
     * call. {@link #end} drops the references to payloads and the destination. Not thread-safe:
     * one per thread.
     */
    private static final class Scratch {
        private static final int MAX_OPENED = 32;
        /** Entries of one grain: up to {@link #HOT_VERSIONS} forward, or one per sector backward. */
        private static final int MAX_ENTRIES = HOT_VERSIONS + BlockIndexDescriptor.MAX_SECTORS_PER_GRAIN;

        final byte[] key = new byte[BlockIndexDescriptor.KEY_LENGTH];
        private final byte[] value = new byte[BlockIndexDescriptor.VALUE_LENGTH];
        final int[] sources = new int[BlockIndexDescriptor.MAX_SECTORS_PER_GRAIN];
        int sectors;
        int entries;
        final byte[] kind = new byte[MAX_ENTRIES];
        final int[] mask = new int[MAX_ENTRIES];
        final int[] payloadOffset = new int[MAX_ENTRIES];
        final long[] journalIndex = new long[MAX_ENTRIES];
        final long[] filePosition = new long[MAX_ENTRIES];

        private final long[] openedIndexes = new long[MAX_OPENED];
        private final ByteBuffer[] openedPayloads = new ByteBuffer[MAX_OPENED];
        private int openedSize;
        private int openedNext;

        final Run run = new Run();

        void begin(int volumeId, int bs, ByteBuffer dst, int sectorsPerGrain) {
            sectors = sectorsPerGrain;
            entries = 0;
            openedSize = 0;
            openedNext = 0;
            run.begin(volumeId, bs, dst);
        }

        void end() {
            java.util.Arrays.fill(openedPayloads, 0, openedSize, null);
            openedSize = 0;
            run.end();
        }

        void readKey(RocksIterator it) {
            int n = it.key(key);
            if (n != BlockIndexDescriptor.KEY_LENGTH) {
                throw new IllegalStateException("block index key: " + n + " bytes (expected: "
                        + BlockIndexDescriptor.KEY_LENGTH + ")");
            }
        }

        /** The sector mask of the entry under the iterator. */
        int peekMask(RocksIterator it) {
            readValue(it);
            return value[BlockIndexDescriptor.MASK_OFFSET] & 0xff;
        }

        private void readValue(RocksIterator it) {
            int n = it.value(value);
            if (n != BlockIndexDescriptor.VALUE_LENGTH) {
                throw new IllegalStateException("block index value: " + n + " bytes (expected: "
                        + BlockIndexDescriptor.VALUE_LENGTH + ")");
            }
        }

        /** Decodes the entry under the iterator into the next slot of this grain; returns the slot. */
        int readEntry(RocksIterator it) {
            readValue(it);
            return decodeEntry();
        }

        /** Decodes the value read last into the next slot of this grain; returns the slot. */
        int decodeEntry() {
            byte k = value[BlockIndexDescriptor.KIND_OFFSET];
            if (k < BlockIndexDescriptor.KIND_ZERO || k > BlockIndexDescriptor.KIND_PATTERN) {
                throw new IllegalStateException("block index value kind: " + k + " (expected: 0.."
                        + BlockIndexDescriptor.KIND_PATTERN + ")");
            }
            int e = entries++;
            kind[e] = k;
            mask[e] = value[BlockIndexDescriptor.MASK_OFFSET] & 0xff;
            payloadOffset[e] = BlockIndexDescriptor.payloadOffsetOf(value);
            journalIndex[e] = BlockIndexDescriptor.journalIndexOf(value);
            filePosition[e] = BlockIndexDescriptor.filePositionOf(value);
            return e;
        }

        /** The payload of a record, once per read (the last {@link #MAX_OPENED} records this read opened). */
        ByteBuffer opened(long index, long position, PayloadCache cache) throws IOException {
            for (int i = 0; i < openedSize; i++) {
                if (openedIndexes[i] == index) {
                    return openedPayloads[i];
                }
            }
            ByteBuffer payload = cache.get(index, position);
            // absolute gets/puts only from here on, so one duplicate serves every grain
            int slot = openedSize < MAX_OPENED ? openedSize++ : openedNext++ % MAX_OPENED;
            openedIndexes[slot] = index;
            openedPayloads[slot] = payload;
            return payload;
        }
    }

    /** A run of consecutive blocks to read from the base image in one call. Not thread-safe: one per thread. */
    private static final class Run {
        private int volumeId;
        private int bs;
        private ByteBuffer dst;
        private long firstBlock = -1;
        private int dstOffset;
        private int blocks;

        void begin(int volumeId, int bs, ByteBuffer dst) {
            this.volumeId = volumeId;
            this.bs = bs;
            this.dst = dst;
            this.blocks = 0;
        }

        void end() {
            dst = null;
            blocks = 0;
        }

        void add(long block, int at, BaseImages base) throws IOException {
            if (blocks > 0 && firstBlock + blocks == block) {
                blocks++;
                return;
            }
            flush(base);
            firstBlock = block;
            dstOffset = at;
            blocks = 1;
        }

        void flush(BaseImages base) throws IOException {
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
