package io.tidemark.replicator.ship;

import java.util.Objects;

/**
 * One volume of a replicated group, as the DR site needs to know it.
 *
 * @param volumeId  the id its records carry (stable, unique in the group)
 * @param name      the volume's name on the primary
 * @param sizeBytes size in bytes (a whole number of blocks)
 * @param blockSize bytes per block
 */
public record VolumeDescriptor(int volumeId, String name, long sizeBytes, int blockSize) {
    public VolumeDescriptor {
        Objects.requireNonNull(name, "name");
        if (blockSize <= 0 || sizeBytes < 0 || sizeBytes % blockSize != 0) {
            throw new IllegalArgumentException("volume " + name + ": size " + sizeBytes + " with block size " + blockSize
                    + " (expected: a positive block size dividing the size)");
        }
    }

    public long blockCount() {
        return sizeBytes / blockSize;
    }
}
