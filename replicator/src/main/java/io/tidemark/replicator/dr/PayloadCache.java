package io.tidemark.replicator.dr;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Recently opened (verified, decrypted, decompressed) payloads by DR journal index, bounded in
 * bytes. A view reading a 1 MiB sync chunk block by block opens it once, not 256 times.
 *
 * <p>Segmented LRU, so that one sequential pass over a view does not flush what is read again
 * and again: a payload enters a small probation segment ({@link #PROBATION_SHARE} of the
 * capacity), and only a second use moves it to the protected segment; what the protected
 * segment pushes out goes back to probation, what probation pushes out is dropped. A scan of
 * records read once churns only the probation segment, so its payloads also die young on the
 * heap instead of being promoted and evicted later. The journal indexes (not the payloads) of
 * what probation dropped are remembered for as many bytes as the cache holds: a record opened
 * again while remembered goes straight to the protected segment, so a working set re-read at a
 * distance larger than probation, but within the capacity, still ends up cached.
 *
 * <p>Readers that miss the same record at the same time (queue depth > 1 over a record that
 * spans several reads) share one opening: the first opens it, the others wait for its result
 * (or its failure). Thread-safe: one lock around the maps; opening runs outside it.
 */
final class PayloadCache {

    /** Part of the capacity kept for payloads used once so far. */
    static final double PROBATION_SHARE = 0.125;

    /** Opens the record at a journal index (verifies its tag). */
    interface Loader {
        ByteBuffer open(long journalIndex, long filePosition) throws IOException;
    }

    private final long capacityBytes;
    private final long probationCapacity;
    private final Loader loader;
    /** Insertion order: the eldest payload used once goes first. */
    private final LinkedHashMap<Long, ByteBuffer> probation = new LinkedHashMap<>(64, 0.75f, false);
    /** Access order: the least recently used payload used twice or more goes first. */
    private final LinkedHashMap<Long, ByteBuffer> protectedEntries = new LinkedHashMap<>(64, 0.75f, true);
    /** Payload bytes, by journal index, of what probation dropped lately (oldest first). */
    private final LinkedHashMap<Long, Integer> ghosts = new LinkedHashMap<>(64, 0.75f, false);
    /** Openings under way, by journal index. */
    private final Map<Long, CompletableFuture<ByteBuffer>> opening = new HashMap<>();
    private long probationBytes;
    private long protectedBytes;
    private long ghostBytes;
    private long hits;
    private long misses;
    private long shared;
    private int waiting;

    PayloadCache(long capacityBytes, Loader loader) {
        this.capacityBytes = capacityBytes;
        this.probationCapacity = Math.max(1, (long) (capacityBytes * PROBATION_SHARE));
        this.loader = loader;
    }

    /** The payload of the record at {@code journalIndex} (read-only, position 0). */
    ByteBuffer get(long journalIndex, long filePosition) throws IOException {
        CompletableFuture<ByteBuffer> mine = null;
        CompletableFuture<ByteBuffer> theirs;
        synchronized (this) {
            ByteBuffer hit = protectedEntries.get(journalIndex);
            if (hit != null) {
                hits++;
                return hit.duplicate();
            }
            hit = probation.remove(journalIndex);
            if (hit != null) {
                hits++;
                probationBytes -= hit.capacity();
                protect(journalIndex, hit);
                return hit.duplicate();
            }
            theirs = opening.get(journalIndex);
            if (theirs == null) {
                misses++;
                mine = new CompletableFuture<>();
                opening.put(journalIndex, mine);
            } else {
                shared++;
                waiting++;
            }
        }
        if (theirs != null) {
            try {
                return awaitOpening(theirs, journalIndex).duplicate();
            } finally {
                synchronized (this) {
                    waiting--;
                }
            }
        }
        ByteBuffer payload;
        try {
            payload = loader.open(journalIndex, filePosition).asReadOnlyBuffer();
        } catch (IOException | RuntimeException | Error e) {
            synchronized (this) {
                opening.remove(journalIndex);
            }
            mine.completeExceptionally(e);
            throw e;
        }
        synchronized (this) {
            opening.remove(journalIndex);
            admit(journalIndex, payload);
        }
        mine.complete(payload);
        return payload.duplicate();
    }

    private static ByteBuffer awaitOpening(CompletableFuture<ByteBuffer> f, long journalIndex) throws IOException {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io); // this thread's stack, the opener's cause
            }
            if (cause instanceof UncheckedIOException u) {
                throw new IOException(u.getMessage(), u);
            }
            if (cause instanceof RuntimeException r) {
                throw new IllegalStateException("opening DR journal index " + journalIndex + " failed: " + r, r);
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException("opening DR journal index " + journalIndex + " failed", cause);
        }
    }

    /**
     * A payload just opened: into probation, the eldest there dropped to make room; or, when
     * probation dropped it lately (a second use), into the protected segment.
     */
    private void admit(long journalIndex, ByteBuffer payload) {
        if (protectedEntries.containsKey(journalIndex) || probation.containsKey(journalIndex)) {
            return; // cleared and opened again meanwhile: keep the one there
        }
        Integer ghost = ghosts.remove(journalIndex);
        if (ghost != null) {
            ghostBytes -= ghost;
            protect(journalIndex, payload);
            return;
        }
        probation.put(journalIndex, payload);
        probationBytes += payload.capacity();
        trimProbation(journalIndex);
    }

    /** A payload used again: into the protected segment; its least recently used go back to probation. */
    private void protect(long journalIndex, ByteBuffer payload) {
        protectedEntries.put(journalIndex, payload);
        protectedBytes += payload.capacity();
        long protectedCapacity = capacityBytes - probationCapacity;
        Iterator<Map.Entry<Long, ByteBuffer>> it = protectedEntries.entrySet().iterator();
        while (protectedBytes > protectedCapacity && it.hasNext()) {
            Map.Entry<Long, ByteBuffer> eldest = it.next();
            if (eldest.getKey() == journalIndex) {
                continue;
            }
            it.remove();
            protectedBytes -= eldest.getValue().capacity();
            probation.put(eldest.getKey(), eldest.getValue());
            probationBytes += eldest.getValue().capacity();
        }
        trimProbation(journalIndex);
    }

    private void trimProbation(long keep) {
        Iterator<Map.Entry<Long, ByteBuffer>> it = probation.entrySet().iterator();
        while (probationBytes > probationCapacity && it.hasNext()) {
            Map.Entry<Long, ByteBuffer> eldest = it.next();
            if (eldest.getKey() == keep) {
                continue;
            }
            it.remove();
            int size = eldest.getValue().capacity();
            probationBytes -= size;
            if (ghosts.put(eldest.getKey(), size) == null) {
                ghostBytes += size;
            }
        }
        Iterator<Map.Entry<Long, Integer>> g = ghosts.entrySet().iterator();
        while (ghostBytes > capacityBytes && g.hasNext()) {
            ghostBytes -= g.next().getValue();
            g.remove();
        }
    }

    /** Gets answered from the cache. */
    synchronized long hits() {
        return hits;
    }

    /** Gets that opened the record (one per record and burst of concurrent gets). */
    synchronized long misses() {
        return misses;
    }

    /** Gets that waited for another reader's opening of the same record instead of opening it too. */
    synchronized long shared() {
        return shared;
    }

    /** Readers waiting right now for another reader's opening. */
    synchronized int waiting() {
        return waiting;
    }

    /** Bytes of payload held. */
    synchronized long bytes() {
        return probationBytes + protectedBytes;
    }

    synchronized void clear() {
        probation.clear();
        protectedEntries.clear();
        ghosts.clear();
        probationBytes = 0;
        protectedBytes = 0;
        ghostBytes = 0;
    }
}
