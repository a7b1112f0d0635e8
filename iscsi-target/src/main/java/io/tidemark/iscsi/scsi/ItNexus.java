package io.tidemark.iscsi.scsi;

/**
 * An I_T nexus: one iSCSI session between an initiator port and a target port.
 *
 * @param initiatorName        initiator IQN, e.g. {@code iqn.2005-03.org.open-iscsi:abc}
 * @param isid                 the session's ISID, 6 bytes
 * @param targetName           target IQN
 * @param portalGroupTag       the target portal group tag (also the relative target port id)
 */
public record ItNexus(String initiatorName, byte[] isid, String targetName, int portalGroupTag) {

    /** SCSI initiator port name: {@code iqn,i,0x<isid hex>} (RFC 7143 section 4.2.7.1). */
    public String initiatorPortName() {
        StringBuilder sb = new StringBuilder(initiatorName).append(",i,0x");
        for (byte b : isid) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    /** SCSI target port name: {@code iqn,t,0x<tpgt hex>}. */
    public String targetPortName() {
        return targetName + ",t,0x" + String.format("%04x", portalGroupTag);
    }

    // Same identity as comparing the port names, without formatting them on every lookup.
    @Override
    public boolean equals(Object o) {
        return o instanceof ItNexus n && n.portalGroupTag == portalGroupTag && n.initiatorName.equals(initiatorName)
                && java.util.Arrays.equals(n.isid, isid) && n.targetName.equals(targetName);
    }

    @Override
    public int hashCode() {
        return ((initiatorName.hashCode() * 31 + java.util.Arrays.hashCode(isid)) * 31 + targetName.hashCode()) * 31
                + portalGroupTag;
    }
}
