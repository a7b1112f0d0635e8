package io.tidemark.replicator.ship;

/**
 * A snapshot of one group's shipping, for the API, CLI and tests.
 *
 * @param state            {@link GroupShipper.State} name: CONNECTING, SYNCING, PROTECTED, DISCONNECTED,
 *                         RESYNC_REQUIRED, STOPPED
 * @param shippedSeq       highest sequence sent to the DR
 * @param ackedSeq         highest sequence the DR acknowledged as durable
 * @param appendedSeq      highest sequence in the local journal
 * @param lagSeconds       now - timestamp of the oldest record appended but not acked (0 when caught up): the RPO
 * @param lagBytes         journal bytes appended but not acked (estimated for records not yet read)
 * @param syncDoneBytes    full sync: bytes the DR acknowledged (the total once complete)
 * @param syncTotalBytes   full sync: bytes to ship (sum of volume sizes), 0 when no sync ran
 * @param syncEtaSeconds   estimated seconds to sync complete, 0 when not syncing, -1 unknown yet
 * @param compressionRatio plain payload bytes / sealed bytes shipped (1 when nothing compressed)
 * @param bytesPerSecond   wire bytes per second, recent average
 * @param lastError        the last link or DR error, or null
 */
public record ShipStatus(String state, long shippedSeq, long ackedSeq, long appendedSeq, double lagSeconds,
                         long lagBytes, long syncDoneBytes, long syncTotalBytes, double syncEtaSeconds,
                         double compressionRatio, double bytesPerSecond, String lastError) {

    /** Full sync progress 0..1 (1 when no sync is needed). */
    public double syncProgress() {
        return syncTotalBytes <= 0 ? 1.0 : Math.min(1.0, (double) syncDoneBytes / syncTotalBytes);
    }
}
