package io.tidemark.replicator.seal;

import java.io.IOException;

/**
 * A sealed record that does not open: its AEAD tag does not match (altered header or
 * ciphertext, wrong key, replayed under another sequence), or its structure is wrong. Nothing
 * of such a record may be stored or applied.
 */
public class TamperedRecordException extends IOException {

    private final long sequence;

    public TamperedRecordException(long sequence, String message) {
        super(message);
        this.sequence = sequence;
    }

    public TamperedRecordException(long sequence, String message, Throwable cause) {
        super(message, cause);
        this.sequence = sequence;
    }

    /** The sequence the record claims (its header may be the altered part). */
    public long sequence() {
        return sequence;
    }
}
