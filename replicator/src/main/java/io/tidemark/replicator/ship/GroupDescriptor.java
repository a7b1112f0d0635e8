package io.tidemark.replicator.ship;

import java.util.List;
import java.util.Objects;

/**
 * A replicated consistency group: what the primary announces to the DR site when it protects it.
 *
 * @param name    group name (unique per appliance pair)
 * @param groupId the numeric id its records carry
 * @param epoch   the primary's epoch
 * @param volumes the group's volumes, in group order (LUN order of views)
 */
public record GroupDescriptor(String name, int groupId, long epoch, List<VolumeDescriptor> volumes) {
    public GroupDescriptor {
        Objects.requireNonNull(name, "name");
        volumes = List.copyOf(volumes);
        if (volumes.isEmpty()) {
            throw new IllegalArgumentException("group " + name + ": no volumes (expected: at least one)");
        }
    }

    /** The volume with this id, or null. */
    public VolumeDescriptor volume(int volumeId) {
        for (VolumeDescriptor v : volumes) {
            if (v.volumeId() == volumeId) {
                return v;
            }
        }
        return null;
    }

    /** Sum of the volumes' sizes: what a full sync ships. */
    public long totalBytes() {
        long total = 0;
        for (VolumeDescriptor v : volumes) {
            total += v.sizeBytes();
        }
        return total;
    }
}
