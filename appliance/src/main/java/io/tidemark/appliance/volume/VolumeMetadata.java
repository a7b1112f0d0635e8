package io.tidemark.appliance.volume;

/**
 * What {@code NAME.json} holds. The NAA id is generated at creation and never changes: initiators
 * (ESXi, multipath) recognise the disk by it across restarts. The group id is written in every
 * journal record of the volume, so it never changes either.
 *
 * @param version    format version of this file (1: without group id; 2: with it)
 * @param name       the volume name
 * @param sizeBytes  capacity (a multiple of 512)
 * @param naaId      32 hex digits
 * @param target     target name (the IQN is {@code <iqn-prefix>:target})
 * @param lun        LUN number within the target
 * @param createdAt  ISO-8601 instant
 * @param groupId    id of the volume's consistency group, and of the volume in its records; 0: none yet
 *                   (version 1 files), assigned once when the volume is next opened
 */
public record VolumeMetadata(int version, String name, long sizeBytes, String naaId, String target, int lun,
                             String createdAt, int groupId) {

    public static final int CURRENT_VERSION = 2;

    public VolumeMetadata withSize(long newSize) {
        return new VolumeMetadata(version, name, newSize, naaId, target, lun, createdAt, groupId);
    }

    public VolumeMetadata withGroupId(int id) {
        return new VolumeMetadata(CURRENT_VERSION, name, sizeBytes, naaId, target, lun, createdAt, id);
    }
}
