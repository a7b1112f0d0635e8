package io.tidemark.journal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One slot of a group's ring: a write-type command on its way through journal, store and
 * completion. Not thread-safe: the ring hands it from stage to stage (each stage's sequence is
 * the barrier that publishes the previous stage's fields).
 */
final class WriteEvent {

    // set by the producer
    RecordType type;
    int volumeId;
    long lba;
    long blockCount;
    /**
     * WRITE: the data; WRITE_SAME: the one block; COMPARE_AND_WRITE: the data to write; METADATA:
     * the group's own copy. The caller's buffer, or the appender's copy once the command was
     * answered before the apply.
     */
    ByteBuffer payload;
    /** COMPARE_AND_WRITE only: the expected current contents. */
    ByteBuffer compare;
    /** Complete only after the journal holds this record durably. */
    boolean durable;
    boolean fua;
    long sequence;
    CompletableFuture<Long> completion;

    // set by the journal appender
    long journalIndex;
    /** COMPARE_AND_WRITE: offset of the first difference, or -1 when it matched. */
    long mismatchOffset;
    Throwable failure;
}
