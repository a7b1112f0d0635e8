package io.tidemark.replicator.dr;

import io.tidemark.replicator.ship.VolumeDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * How one volume's blocks map to index grains, and the index entries a record makes. Immutable.
 *
 * @param volumeId        the volume's id in the group
 * @param blockSize       bytes per block (sector)
 * @param blockCount      blocks in the volume
 * @param sectorsPerGrain blocks per index grain (1..8)
 */
record VolumeLayout(int volumeId, int blockSize, long blockCount, int sectorsPerGrain) {

    static VolumeLayout of(VolumeDescriptor v, int grainBytes) {
        return new VolumeLayout(v.volumeId(), v.blockSize(), v.blockCount(),
                BlockIndexDescriptor.sectorsPerGrain(v.blockSize(), grainBytes));
    }

    long grainOf(long block) {
        return block / sectorsPerGrain;
    }

    /** Bits of the grain's sectors that fall in [first, first + count). */
    int maskIn(long grain, long first, long count) {
        long grainStart = grain * sectorsPerGrain;
        long from = Math.max(first, grainStart);
        long to = Math.min(first + count, grainStart + sectorsPerGrain);
        if (to <= from) {
            return 0;
        }
        int bits = (int) (to - from);
        return ((1 << bits) - 1) << (int) (from - grainStart);
    }

    /** Fails naming the range and the volume size when blocks [lba, lba + count) are not all in the volume. */
    void checkRange(long lba, long count, long sequence) {
        if (lba < 0 || count < 0 || lba > blockCount || count > blockCount - lba) {
            throw new IllegalArgumentException("volume " + volumeId + " seq " + sequence + ": blocks " + lba + "+" + count
                    + " (expected: within 0.." + blockCount + ")");
        }
    }

    /** Puts the index entries of a record (effect other than NONE) into {@code batch}. */
    void index(WriteBatch batch, ColumnFamilyHandle cf, BlockEffect effect, long lba, long count, long sequence,
               long journalIndex, long filePosition) throws RocksDBException {
        byte kind = effect.indexKind();
        byte[] key = new byte[BlockIndexDescriptor.KEY_LENGTH];
        for (long g = grainOf(lba), last = grainOf(lba + count - 1); count > 0 && g <= last; g++) {
            int offset = effect == BlockEffect.DATA ? (int) ((g * sectorsPerGrain - lba) * blockSize) : 0;
            BlockIndexDescriptor.putKey(key, volumeId, g, sequence);
            batch.put(cf, key, BlockIndexDescriptor.value(kind, maskIn(g, lba, count), offset, journalIndex,
                    filePosition));
        }
    }

    /** Deletes the index entries {@link #index} put for that record. */
    void unindex(WriteBatch batch, ColumnFamilyHandle cf, long lba, long count, long sequence) throws RocksDBException {
        byte[] key = new byte[BlockIndexDescriptor.KEY_LENGTH];
        for (long g = grainOf(lba), last = grainOf(lba + count - 1); count > 0 && g <= last; g++) {
            BlockIndexDescriptor.putKey(key, volumeId, g, sequence);
            batch.delete(cf, key);
        }
    }
}
