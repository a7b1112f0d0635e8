package io.tidemark.replicator.dr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recently opened (verified, decrypted, decompressed) payloads by DR journal index, least
 * recently used out first, bounded in bytes. A view reading a 1 MiB sync chunk block by block
 * opens it once, not 256 times. Thread-safe: one lock around the map; opening runs outside it.
 */
final class PayloadCache {

    /** Opens the record at a journal index (verifies its tag). */
    interface Loader {
        ByteBuffer open(long journalIndex, long filePosition) throws IOException;
    }

    private final long capacityBytes;
    private final Loader loader;
    private final LinkedHashMap<Long, ByteBuffer> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    PayloadCache(long capacityBytes, Loader loader) {
        this.capacityBytes = capacityBytes;
        this.loader = loader;
    }

    /** The payload of the record at {@code journalIndex} (read-only, position 0). */
    ByteBuffer get(long journalIndex, long filePosition) throws IOException {
        synchronized (this) {
            ByteBuffer hit = entries.get(journalIndex);
            if (hit != null) {
                hits++;
                return hit.duplicate();
            }
            misses++;
        }
        ByteBuffer payload = loader.open(journalIndex, filePosition).asReadOnlyBuffer();
        synchronized (this) {
            if (entries.put(journalIndex, payload) == null) {
                bytes += payload.capacity();
            }
            Iterator<Map.Entry<Long, ByteBuffer>> it = entries.entrySet().iterator();
            while (bytes > capacityBytes && it.hasNext()) {
                Map.Entry<Long, ByteBuffer> eldest = it.next();
                if (eldest.getKey() == journalIndex) {
                    continue;
                }
                bytes -= eldest.getValue().capacity();
                it.remove();
            }
        }
        return payload.duplicate();
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }

    synchronized void clear() {
        entries.clear();
        bytes = 0;
    }
}
