package io.tidemark.replicator.link;

import java.io.IOException;

/** The peer completed TLS but refused the session (for example: our certificate is not pinned there). */
public final class LinkRefusedException extends IOException {

    public LinkRefusedException(String message) {
        super(message);
    }
}
