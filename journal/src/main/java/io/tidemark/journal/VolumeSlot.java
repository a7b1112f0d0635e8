package io.tidemark.journal;

import io.tidemark.journal.store.BlockDevice;

/** One volume of a group as the pipeline sees it. Thread-safe (immutable, parts thread-safe). */
final class VolumeSlot {

    final int slot;
    final int id;
    final String name;
    final BlockDevice store;
    final InFlightExtents inFlight = new InFlightExtents();

    VolumeSlot(int slot, GroupVolume volume) {
        this.slot = slot;
        this.id = volume.id();
        this.name = volume.name();
        this.store = volume.store();
    }

    /** Finds the slot of volume {@code id}; groups hold few volumes, so a scan beats hashing. */
    static VolumeSlot find(VolumeSlot[] slots, int id) {
        for (VolumeSlot s : slots) {
            if (s.id == id) {
                return s;
            }
        }
        return null;
    }
}
