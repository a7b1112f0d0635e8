package io.tidemark.journal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a group can still take writes. The first journal or store failure fails the group
 * for good: a journal with a hole or a store that missed a record must not keep accepting
 * writes as if nothing happened. Thread-safe.
 */
final class GroupHealth {

    private static final Logger LOG = LoggerFactory.getLogger(GroupHealth.class);

    private final String group;
    private volatile Throwable failure;

    GroupHealth(String group) {
        this.group = group;
    }

    boolean failed() {
        return failure != null;
    }

    Throwable failure() {
        return failure;
    }

    void fail(String what, Throwable cause) {
        if (failure == null) {
            failure = new java.io.IOException("group " + group + " stopped taking writes: " + what, cause);
            // unexpected by definition: the stack trace is worth its lines here
            LOG.error("group {}: {} failed, the group takes no more writes", group, what, cause);
        }
    }
}
