package io.tidemark.appliance.volume;

/**
 * What {@code NAME.json} holds. The NAA id is generated at creation and never changes: initiators
 * (ESXi, multipath) recognise the disk by it across restarts.
 *
 * @param version    format version of this file
 * @param name       the volume name
 * @param sizeBytes  capacity (a multiple of 512)
 * @param naaId      32 hex digits
 * @param target     target name (the IQN is {@code <iqn-prefix>:target})
 * @param lun        LUN number within the target
 * @param createdAt  ISO-8601 instant
 */
public record VolumeMetadata(int version, String name, long sizeBytes, String naaId, String target, int lun,
                             String createdAt) {

    public static final int CURRENT_VERSION = 1;

    public VolumeMetadata withSize(long newSize) {
        return new VolumeMetadata(version, name, newSize, naaId, target, lun, createdAt);
    }
}
