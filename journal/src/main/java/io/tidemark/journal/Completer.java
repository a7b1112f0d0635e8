package io.tidemark.journal;

import com.lmax.disruptor.EventHandler;
import java.util.concurrent.CompletableFuture;

/**
 * Ring stage 3: answers each command once journaled and applied; a FUA or write-through write
 * waits, without blocking the stage, until the force thread has made its record durable.
 * Releases the event's buffers. Not thread-safe: runs on its ring thread only.
 */
final class Completer implements EventHandler<WriteEvent> {

    private final JournalSync sync;

    Completer(JournalSync sync) {
        this.sync = sync;
    }

    @Override
    public void onEvent(WriteEvent event, long ringSequence, boolean endOfBatch) {
        CompletableFuture<Long> completion = event.completion;
        long result = event.type == RecordType.COMPARE_AND_WRITE ? event.mismatchOffset : event.sequence;
        Throwable failure = event.failure;
        boolean durable = event.durable;
        long sequence = event.sequence;
        event.clear();
        if (failure != null) {
            completion.completeExceptionally(failure);
        } else if (durable) {
            sync.whenDurable(sequence).whenComplete((d, e) -> {
                if (e != null) {
                    completion.completeExceptionally(e);
                } else {
                    completion.complete(result);
                }
            });
        } else {
            completion.complete(result);
        }
    }
}
