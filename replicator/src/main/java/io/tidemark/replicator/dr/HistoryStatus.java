package io.tidemark.replicator.dr;

import java.time.Instant;

/**
 * A snapshot of one replica's history for the API, CLI and metrics.
 *
 * @param group          the group's name
 * @param oldestSequence oldest point a view can be opened at (-1 when none yet)
 * @param oldestTime     its time (null when none)
 * @param newestSequence newest durable record (0 when nothing received)
 * @param newestTime     its timestamp (null when none)
 * @param baseSequence   last record applied to the base images
 * @param sync           where the initial sync stands
 * @param syncDoneBytes  bytes of volume content received since the sync started
 * @param syncTotalBytes bytes the sync announced
 * @param pinnedViews    open views
 * @param journalBytes   DR journal bytes on disk (sealed records)
 * @param indexBytes     block index bytes on disk
 * @param baseBytes      base image bytes allocated on disk
 * @param records        records received since this history was opened
 */
public record HistoryStatus(String group, long oldestSequence, Instant oldestTime, long newestSequence,
                            Instant newestTime, long baseSequence, SyncState sync, long syncDoneBytes,
                            long syncTotalBytes, int pinnedViews, long journalBytes, long indexBytes, long baseBytes,
                            long records) {

    /** Initial sync as the DR sees it in the stream's METADATA records. */
    public enum SyncState {
        /** No sync-start received yet: no point can be viewed. */
        WAITING,
        /** sync-start received, sync-complete not yet: no point can be viewed. */
        SYNCING,
        /** sync-complete received: points from it on can be viewed. */
        COMPLETE
    }

    public long diskBytes() {
        return journalBytes + indexBytes + baseBytes;
    }
}
