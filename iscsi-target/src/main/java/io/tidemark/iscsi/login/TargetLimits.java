package io.tidemark.iscsi.login;

/**
 * What this target offers in negotiation: the "ours" side of every MIN/MAX/AND/OR result.
 */
public record TargetLimits(int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength,
                           boolean immediateData, boolean initialR2T, int maxOutstandingR2T,
                           int defaultTime2Wait, int defaultTime2Retain) {

    /** Large bursts and unsolicited data: one round trip per write up to 256 KiB. */
    public static TargetLimits defaults() {
        return new TargetLimits(262144, 16776192, 262144, true, false, 16, 2, 0);
    }
}
