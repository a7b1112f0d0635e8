package io.tidemark.appliance.api;

import io.tidemark.appliance.volume.JournalStatus;
import io.tidemark.appliance.volume.Volume;

/**
 * A volume in API responses.
 *
 * @param target  the target IQN
 * @param url     {@code iscsi://HOST:PORT/<target iqn>/<lun>}
 * @param path    the image file
 * @param naaId   the NAA designator in VPD page 0x83, 32 hex digits
 * @param journal the journal's position (appended, durable, applied, checkpointed sequences) and size on disk
 * @param group   the consistency group it belongs to; null when none
 */
public record VolumeView(String name, long sizeBytes, String target, int lun, String url, String path, String naaId,
                         JournalStatus journal, String group) {

    public static VolumeView of(Volume v, PortalAddress portal) {
        return new VolumeView(v.name(), v.sizeBytes(), v.targetIqn(), v.lun(), portal.url(v.targetIqn(), v.lun()),
                v.image().toString(), v.naaId(), v.journal(), v.group());
    }
}
