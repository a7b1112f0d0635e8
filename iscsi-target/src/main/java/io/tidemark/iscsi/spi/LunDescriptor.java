package io.tidemark.iscsi.spi;

/**
 * What the target reports about a LUN besides its blocks.
 *
 * @param lun           the LUN number within its target (0..16383)
 * @param name          the volume name, used as product serial number (VPD 0x80)
 * @param naaId         16 bytes: the NAA IEEE Registered Extended designator (VPD 0x83),
 *                      stable for the volume's lifetime and unique across appliances
 * @param thin          thin-provisioned: report LBPME and accept UNMAP
 * @param unit          the backstore
 */
public record LunDescriptor(int lun, String name, byte[] naaId, boolean thin, LogicalUnit unit) {
    public LunDescriptor {
        if (lun < 0 || lun > 16383) {
            throw new IllegalArgumentException("lun: " + lun + " (expected: 0..16383)");
        }
        if (naaId.length != 16) {
            throw new IllegalArgumentException("naaId length: " + naaId.length + " (expected: 16)");
        }
    }
}
