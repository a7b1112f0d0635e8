package io.tidemark.appliance.group;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.appliance.lun.FileDurableState;
import io.tidemark.appliance.lun.JournaledUnit;
import io.tidemark.appliance.volume.VolumeFiles;
import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.journal.GroupConfig;
import io.tidemark.journal.GroupVolume;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One open consistency group shared by several volumes: their stores, the group over them and
 * one {@link JournaledUnit} per member (none of which owns the group). The group closes when
 * its last member closes, before the stores. Not thread-safe: {@link GroupedStorage} serializes calls.
 */
final class SharedGroup {

    private final GroupMetadata meta;
    private final ConsistencyGroup group;
    private final List<FileStore> stores;
    private final Map<String, JournaledUnit> units = new HashMap<>();
    private final Set<String> openMembers = new HashSet<>();
    private boolean closed;

    private SharedGroup(GroupMetadata meta, ConsistencyGroup group, List<FileStore> stores,
                        Map<String, JournaledUnit> units) {
        this.meta = meta;
        this.group = group;
        this.stores = stores;
        this.units.putAll(units);
    }

    /** Opens every member's image in {@code volumesDir}, then the shared journal (replaying its tail into them). */
    static SharedGroup open(GroupMetadata meta, Path volumesDir, GroupConfig config, boolean directIo,
                            MeterRegistry registry) throws IOException {
        List<FileStore> stores = new ArrayList<>();
        List<GroupVolume> members = new ArrayList<>();
        try {
            for (GroupMetadata.Member m : meta.volumes()) {
                Path image = new VolumeFiles(volumesDir, m.name()).image();
                if (!Files.isRegularFile(image)) {
                    throw new IOException("group " + meta.name() + ": member volume " + m.name() + " has no image "
                            + image);
                }
                FileStore store = FileStore.open(image, StoreOptions.DEFAULTS.withDirectIo(directIo));
                stores.add(store);
                members.add(new GroupVolume(m.id(), m.name(), store));
            }
            ConsistencyGroup group = ConsistencyGroup.open(config, members, registry);
            Map<String, JournaledUnit> units = new HashMap<>();
            for (int i = 0; i < meta.volumes().size(); i++) {
                GroupMetadata.Member m = meta.volumes().get(i);
                units.put(m.name(), new JournaledUnit(group, m.id(), stores.get(i),
                        new FileDurableState(new VolumeFiles(volumesDir, m.name()).reservations()), false));
            }
            return new SharedGroup(meta, group, stores, units);
        } catch (IOException | RuntimeException e) {
            for (FileStore s : stores) {
                try {
                    s.close();
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    GroupMetadata metadata() {
        return meta;
    }

    ConsistencyGroup group() {
        return group;
    }

    /** Hands out member NAME's unit; the group stays open until every handed-out member is released. */
    JournaledUnit acquire(String volume) {
        JournaledUnit unit = units.get(volume);
        if (unit == null) {
            throw new IllegalArgumentException("volume " + volume + " is not a member of group " + meta.name()
                    + " (members: " + meta.volumeNames() + ")");
        }
        openMembers.add(volume);
        return unit;
    }

    /** Releases member NAME; true when that closed the group (nothing is handed out any more). */
    boolean release(String volume) throws IOException {
        openMembers.remove(volume);
        if (!openMembers.isEmpty()) {
            return false;
        }
        close();
        return true;
    }

    /** Drains and closes the group (journal synced, stores checkpointed), then the stores. Idempotent. */
    void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        try {
            group.close();
        } catch (IOException e) {
            failure = e;
        }
        for (FileStore s : stores) {
            try {
                s.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
