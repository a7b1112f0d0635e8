package io.tidemark.journal;

import io.tidemark.journal.store.BlockDevice;
import java.util.Objects;

/**
 * A volume of a consistency group: its id in the records, its name (logs, metric tag), its store.
 * The group writes the store; the caller keeps owning it (closes it after the group).
 */
public record GroupVolume(int id, String name, BlockDevice store) {
    public GroupVolume {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(store, "store");
    }
}
