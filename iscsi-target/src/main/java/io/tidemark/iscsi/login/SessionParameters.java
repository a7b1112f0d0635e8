package io.tidemark.iscsi.login;

/**
 * The operational parameters a login settled on (RFC 7143 section 13), fixed for the session.
 *
 * @param initiatorMaxRecvDataSegmentLength largest data segment we may send
 * @param targetMaxRecvDataSegmentLength    largest data segment we accept
 */
public record SessionParameters(boolean headerDigest, boolean dataDigest, int initiatorMaxRecvDataSegmentLength,
                                int targetMaxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength,
                                boolean immediateData, boolean initialR2T, int maxOutstandingR2T,
                                boolean dataPduInOrder, boolean dataSequenceInOrder, int errorRecoveryLevel,
                                int maxConnections, int defaultTime2Wait, int defaultTime2Retain) {}
