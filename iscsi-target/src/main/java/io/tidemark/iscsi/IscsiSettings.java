package io.tidemark.iscsi;

/**
 * Portal-wide settings of the iSCSI server.
 *
 * @param bindAddress    address to listen on, e.g. 0.0.0.0
 * @param port           TCP port (3260 by default; 0 picks a free one)
 * @param portalGroupTag the portal group tag reported at login and in SendTargets
 * @param advertisedHost host name or address announced in SendTargets (TargetAddress)
 */
public record IscsiSettings(String bindAddress, int port, int portalGroupTag, String advertisedHost) {

    public static IscsiSettings defaults() {
        return new IscsiSettings("0.0.0.0", 3260, 1, null);
    }
}
