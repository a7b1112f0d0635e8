package io.tidemark.appliance.volume;

import io.tidemark.iscsi.spi.LogicalUnit;
import java.io.IOException;

/**
 * Opens the storage behind a volume whose image file already exists at its full size. The
 * switch between storage implementations; the catalog knows nothing more about them.
 */
public interface VolumeStorage {

    OpenVolume open(VolumeFiles files, long sizeBytes) throws IOException;

    /** An open volume: the backstore the target serves, plus what the catalog needs to manage it. */
    interface OpenVolume extends AutoCloseable {

        LogicalUnit unit();

        /** Extends the volume to {@code newSizeBytes}; the unit reports the new block count at once. */
        void grow(long newSizeBytes) throws IOException;

        /** Flushes every completed write, then releases the files. */
        @Override
        void close() throws IOException;
    }
}
