package io.tidemark.journal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Answers a command: at once in write-back mode, after the force thread made the record durable
 * for FUA and write-through writes (without blocking the ring thread), and with a
 * {@link PeerGate} installed a block-changing command also after the peer's acknowledgement.
 * Called by the store applier after the apply, or earlier by the appender once journaled (a
 * command alone in its ring batch: queue depth 1 latency; the appender then gives the applier a
 * copy of the payload, as the caller may reuse its buffer); reads wait for the applier
 * ({@link InFlightExtents}), so they see every completed write either way. Thread-safe for
 * distinct events (stateless apart from its collaborators).
 */
final class Completion {

    private final JournalSync sync;
    private final Supplier<PeerGate> gate;

    Completion(JournalSync sync, Supplier<PeerGate> gate) {
        this.sync = sync;
        this.gate = gate;
    }

    /** Completes (or arranges to complete) the command of {@code event}, once: a second call does nothing. */
    void complete(WriteEvent event) {
        CompletableFuture<Long> completion = event.completion;
        long result = event.type == RecordType.COMPARE_AND_WRITE ? event.mismatchOffset : event.sequence;
        Throwable failure = event.failure;
        boolean durable = event.durable;
        long sequence = event.sequence;
        PeerGate peer = event.type.changesBlocks() ? gate.get() : null;
        event.completion = null;
        if (completion == null) {
            return;
        }
        if (failure != null) {
            completion.completeExceptionally(failure);
            return;
        }
        CompletableFuture<?> journal = durable ? sync.whenDurable(sequence) : null;
        CompletableFuture<?> acknowledged = null;
        if (peer != null) {
            try {
                acknowledged = peer.whenAcknowledged(sequence);
            } catch (RuntimeException e) {
                completion.completeExceptionally(e);
                return;
            }
        }
        CompletableFuture<?> wait = journal == null ? acknowledged
                : acknowledged == null ? journal : CompletableFuture.allOf(journal, acknowledged);
        if (wait == null) {
            completion.complete(result);
        } else {
            wait.whenComplete((ignored, e) -> {
                if (e != null) {
                    completion.completeExceptionally(e);
                } else {
                    completion.complete(result);
                }
            });
        }
    }
}
