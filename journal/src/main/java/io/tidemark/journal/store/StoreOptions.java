package io.tidemark.journal.store;

/**
 * How a store opens its file or device.
 *
 * @param blockSize bytes per block: a power of two from 512 to 65536
 * @param directIo  use O_DIRECT where the file system allows it (config {@code store.direct-io});
 *                  false forces buffered I/O + fdatasync
 */
public record StoreOptions(int blockSize, boolean directIo) {

    /** 512-byte blocks (what iSCSI LUNs use), O_DIRECT where possible. */
    public static final StoreOptions DEFAULTS = new StoreOptions(512, true);

    public StoreOptions {
        if (blockSize < 512 || blockSize > 65536 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("blockSize: " + blockSize + " (expected: a power of two in 512..65536)");
        }
    }

    public StoreOptions withDirectIo(boolean direct) {
        return new StoreOptions(blockSize, direct);
    }
}
