package io.tidemark.replicator.ship;

import java.util.Base64;
import java.util.List;

/**
 * PROTECT: the primary announces the group it ships, its data key and mode (JSON; the link is
 * mutually authenticated TLS, so the key never leaves the two pinned appliances).
 */
record ProtectMessage(String group, int groupId, long epoch, List<Volume> volumes, String key, String mode) {

    record Volume(int id, String name, long sizeBytes, int blockSize) {
    }

    static ProtectMessage of(GroupDescriptor desc, byte[] key, String mode) {
        List<Volume> vs = desc.volumes().stream()
                .map(v -> new Volume(v.volumeId(), v.name(), v.sizeBytes(), v.blockSize())).toList();
        return new ProtectMessage(desc.name(), desc.groupId(), desc.epoch(), vs, Base64.getEncoder().encodeToString(key),
                mode);
    }

    GroupDescriptor descriptor() {
        if (group == null || volumes == null || key == null) {
            throw new IllegalArgumentException("PROTECT without group, volumes or key");
        }
        return new GroupDescriptor(group, groupId, epoch,
                volumes.stream().map(v -> new VolumeDescriptor(v.id(), v.name(), v.sizeBytes(), v.blockSize())).toList());
    }

    byte[] keyBytes() {
        return Base64.getDecoder().decode(key);
    }

    @Override
    public String toString() {
        return "ProtectMessage[" + group + ", id " + groupId + ", epoch " + epoch + ", " + mode + "]";
    }
}
