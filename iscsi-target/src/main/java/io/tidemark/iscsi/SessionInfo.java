package io.tidemark.iscsi;

/**
 * A logged-in session, for listings.
 *
 * @param initiatorName initiator IQN
 * @param isid          ISID in hex
 * @param tsih          target session identifying handle
 * @param targetName    target IQN, or null for a discovery session
 * @param remoteAddress host:port of the initiator's (first) connection
 * @param connections   connections in the session
 * @param headerDigest  CRC32C header digests in use
 * @param dataDigest    CRC32C data digests in use
 * @param authMethod    None or CHAP
 */
public record SessionInfo(String initiatorName, String isid, int tsih, String targetName,
                          String remoteAddress, int connections, boolean headerDigest, boolean dataDigest,
                          String authMethod) {

    /** The listing fields only (digests off, AuthMethod None). */
    public SessionInfo(String initiatorName, String isid, int tsih, String targetName, String remoteAddress,
                       int connections) {
        this(initiatorName, isid, tsih, targetName, remoteAddress, connections, false, false, "None");
    }

    public boolean discovery() {
        return targetName == null;
    }
}
