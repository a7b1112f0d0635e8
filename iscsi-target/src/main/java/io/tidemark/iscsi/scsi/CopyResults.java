package io.tidemark.iscsi.scsi;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Outcomes of EXTENDED COPY commands, kept for RECEIVE COPY RESULTS, per nexus and list id. Thread-safe. */
final class CopyResults {

    /**
     * @param status           SAM status the copy ended with
     * @param sense            sense data when it failed, else empty
     * @param segments         segments processed
     * @param transferredBytes bytes copied
     */
    record Outcome(int status, byte[] sense, int segments, long transferredBytes) {}

    private record Key(ItNexus nexus, int listId) {}

    private final Map<Key, Outcome> outcomes = new ConcurrentHashMap<>();

    void put(ItNexus nexus, int listId, Outcome outcome) {
        outcomes.put(new Key(nexus, listId), outcome);
    }

    Outcome get(ItNexus nexus, int listId) {
        return outcomes.get(new Key(nexus, listId));
    }

    void forget(ItNexus nexus) {
        outcomes.keySet().removeIf(k -> k.nexus().equals(nexus));
    }
}
