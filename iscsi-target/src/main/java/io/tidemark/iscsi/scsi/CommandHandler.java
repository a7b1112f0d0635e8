package io.tidemark.iscsi.scsi;

import java.util.concurrent.CompletableFuture;

/** Executes one kind of CDB. May throw {@link CheckCondition} or return a future failed with it. */
@FunctionalInterface
interface CommandHandler {
    CompletableFuture<ScsiResponse> handle(Task task);
}
