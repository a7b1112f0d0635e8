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
 */
public record SessionInfo(String initiatorName, String isid, int tsih, String targetName,
                          String remoteAddress, int connections) {}
