package io.tidemark.iscsi.scsi;

import io.tidemark.iscsi.spi.LunDescriptor;
import java.util.concurrent.CompletableFuture;

/**
 * The SCSI layer of one target: executes commands against that target's LUNs. Thread-safe.
 * The iSCSI session calls it from a worker thread (never a network event loop); it may block.
 */
public interface ScsiExecutor {

    /** Executes a command; the future never completes exceptionally (errors become sense). */
    CompletableFuture<ScsiResponse> execute(ScsiCommand command);

    /** Task management functions that change SCSI state (not ABORT TASK, which the session owns). */
    enum Reset { ABORT_TASK_SET, CLEAR_TASK_SET, LOGICAL_UNIT_RESET, TARGET_WARM_RESET, TARGET_COLD_RESET }

    /**
     * Applies a reset from {@code nexus}: clears its state as SAM-5 says and establishes the
     * unit attentions other nexuses must see. {@code lun} is ignored for target resets.
     */
    void reset(ItNexus nexus, Reset function, int lun);

    /** A session has logged in (unit attention POWER ON / RESET for a new nexus is not needed). */
    void nexusCreated(ItNexus nexus);

    /** A session has ended: drop per-nexus state (not persistent reservations). */
    void nexusLost(ItNexus nexus);

    /** The LUNs of this target, for the session layer's own use (e.g. listing). */
    Iterable<LunDescriptor> luns();
}
