package io.tidemark.appliance.volume;

import io.tidemark.iscsi.spi.LogicalUnit;
import java.io.IOException;
import java.util.Optional;

/**
 * Opens the storage behind a volume whose image file already exists at its full size. The
 * switch between storage implementations; the catalog knows nothing more about them.
 */
public interface VolumeStorage {

    /** Opens volume {@code meta.name()} (recovering its journal first) at {@code meta.sizeBytes()}. */
    OpenVolume open(VolumeFiles files, VolumeMetadata meta) throws IOException;

    /** The consistency group volume NAME belongs to, if any (such a volume cannot be deleted). */
    default Optional<String> groupOf(String volume) {
        return Optional.empty();
    }

    /** An open volume: the backstore the target serves, plus what the catalog needs to manage it. */
    interface OpenVolume extends AutoCloseable {

        LogicalUnit unit();

        /** Its journal's position and size now. */
        JournalStatus journal();

        /** Extends the volume to {@code newSizeBytes}; the unit reports the new block count at once. */
        void grow(long newSizeBytes) throws IOException;

        /** Completes every write in flight, makes it durable, then releases the files. */
        @Override
        void close() throws IOException;
    }
}
