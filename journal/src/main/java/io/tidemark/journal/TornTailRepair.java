package io.tidemark.journal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a torn tail off the last cycle file so that Chronicle appends right after the last
 * valid record and every reader sees the new records. Needed because Chronicle's appender
 * resumes from the store's write position: a torn last document would otherwise trip it (a
 * zeroed header) or be skipped by it while tailers stop there forever (a header a killed
 * writer left NOT_COMPLETE), hiding every later record from recovery and shipping.
 *
 * <p>The cut: zero the bytes from the end of the last valid record (or the first torn document
 * of a cycle without one) through the last written document; Chronicle's write position only
 * moves forward, so the zeroed range becomes metadata documents (readers skip them): one
 * padding document up to the write position and an empty one there, after which the appender
 * continues. A cycle whose documents cannot be located at all holds nothing of value and is
 * deleted. Not thread-safe: runs once at open, before the ring.
 */
final class TornTailRepair {

    private static final Logger LOG = LoggerFactory.getLogger(TornTailRepair.class);
    private static final int NOT_COMPLETE = 0x80000000;
    private static final int META_DATA = 0x40000000;
    private static final int LENGTH_MASK = 0x3FFFFFFF;

    /** Where the valid records end and the first invalid document after them starts (-1: none). */
    record Tail(int validCycle, long validHeader, long validEnd, int invalidCycle, long invalidHeader) {
        static final Tail NONE = new Tail(Integer.MIN_VALUE, -1, -1, Integer.MIN_VALUE, -1);
    }

    private TornTailRepair() {
    }

    static void repair(String group, SingleChronicleQueue queue, Tail tail) throws IOException {
        int lastCycle = queue.lastCycle();
        if (lastCycle == Integer.MIN_VALUE || queue.firstCycle() == Integer.MAX_VALUE) {
            return;
        }
        SingleChronicleQueueStore store = queue.storeForCycle(lastCycle, queue.epoch(), false, null);
        if (store == null) {
            return;
        }
        File file = store.file();
        boolean deleteCycle = false;
        MappedBytes bytes = store.bytes();
        try {
            long writePosition = store.writePosition();
            long cut;
            if (tail.validCycle() == lastCycle) {
                cut = tail.validEnd();
                if (bytes.readVolatileInt(cut) == 0 && writePosition <= tail.validHeader()) {
                    return; // clean: nothing written past the last valid record
                }
            } else if (tail.invalidCycle() == lastCycle) {
                cut = tail.invalidHeader();
            } else {
                cut = -1;
                deleteCycle = true;
            }
            if (cut >= 0) {
                long last = Math.max(writePosition, cut);
                long end = writtenEnd(bytes, last);
                bytes.zeroOut(cut + 4, end);
                if (last > cut) {
                    // padding over the torn documents, up to the header the write position names
                    bytes.writeVolatileInt(cut, META_DATA | (int) (last - cut - 4));
                }
                // the write position never moves back: leave an empty metadata document there to append after
                bytes.writeVolatileInt(last, META_DATA);
                LOG.warn("group {}: journal {} torn after its last valid record: bytes {}..{} cut off", group,
                        file.getName(), cut, end);
            }
        } finally {
            bytes.releaseLast();
            queue.closeStore(store);
        }
        if (deleteCycle) {
            LOG.warn("group {}: journal {} holds no readable record; deleted", group, file.getName());
            Files.deleteIfExists(file.toPath());
            queue.refreshDirectoryListing();
        }
    }

    /** File offset past the document whose header is at {@code position} (its full extent when torn). */
    private static long writtenEnd(MappedBytes bytes, long position) {
        int header = bytes.readVolatileInt(position);
        long length = (header & LENGTH_MASK);
        if (header == 0 || (header & NOT_COMPLETE) != 0) {
            // length unknown or untrustworthy: clear as much as one record can take
            length = Math.max(length, JournalRecordDescriptor.recordLength(JournalRecordDescriptor.MAX_PAYLOAD_LENGTH));
        }
        return Math.min(position + 4 + length, bytes.realCapacity());
    }
}
