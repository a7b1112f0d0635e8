package io.tidemark.iscsi.scsi;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/** Pending unit attention conditions of one logical unit, per I_T nexus (SAM-5 5.14). Thread-safe. */
final class UnitAttentions {

    private static final int MAX_PENDING = 16;

    private final Map<ItNexus, ConcurrentLinkedDeque<SenseCode>> pending = new ConcurrentHashMap<>();

    void establish(ItNexus nexus, SenseCode code) {
        ConcurrentLinkedDeque<SenseCode> q = pending.computeIfAbsent(nexus, n -> new ConcurrentLinkedDeque<>());
        if (!q.contains(code)) {
            if (q.size() >= MAX_PENDING) {
                q.pollLast();
            }
            q.addLast(code);
        }
    }

    /** Establishes {@code code} for every nexus in {@code nexuses} except {@code except} (may be null). */
    void establishAll(Iterable<ItNexus> nexuses, ItNexus except, SenseCode code) {
        for (ItNexus n : nexuses) {
            if (!n.equals(except)) {
                establish(n, code);
            }
        }
    }

    boolean hasPending(ItNexus nexus) {
        ConcurrentLinkedDeque<SenseCode> q = pending.get(nexus);
        return q != null && !q.isEmpty();
    }

    /** Removes and returns the oldest pending condition, or null. */
    SenseCode take(ItNexus nexus) {
        ConcurrentLinkedDeque<SenseCode> q = pending.get(nexus);
        return q == null ? null : q.pollFirst();
    }

    void clear(ItNexus nexus, SenseCode code) {
        ConcurrentLinkedDeque<SenseCode> q = pending.get(nexus);
        if (q != null) {
            q.remove(code);
        }
    }

    void forget(ItNexus nexus) {
        pending.remove(nexus);
    }
}
