package io.tidemark.replicator.dr;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts whatever follows the last good record off the DR journal's last cycle file, so Chronicle
 * appends right after it and readers see the new records: a document a killed process left
 * half-written (its header NOT_COMPLETE stops every tailer and the appender would skip past
 * it), or one that does not open. The same technique as the primary journal's repair: zero
 * from the cut on and turn the range into metadata documents (padding up to Chronicle's write
 * position, which only moves forward, and an empty one there). A last cycle without any good
 * record is deleted. Not thread-safe: runs once at open, before any append.
 */
final class DrTailRepair {

    private static final Logger LOG = LoggerFactory.getLogger(DrTailRepair.class);
    private static final int NOT_COMPLETE = 0x80000000;
    private static final int META_DATA = 0x40000000;
    private static final int LENGTH_MASK = 0x3FFFFFFF;
    /** Longest document: a sealed record of the largest payload. */
    private static final long MAX_DOCUMENT = 64L + (32L << 20) + 16;

    private DrTailRepair() {
    }

    /**
     * @param goodCycle cycle of the last good record (Integer.MIN_VALUE: none)
     * @param goodEnd   file offset just past it
     * @param badCycle  cycle of the first bad document after it (Integer.MIN_VALUE: none seen)
     * @param badHeader file offset of that document's header
     */
    static void repair(String group, SingleChronicleQueue queue, int goodCycle, long goodEnd, int badCycle,
                       long badHeader) throws IOException {
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
            if (badCycle == lastCycle) {
                cut = badHeader;
            } else if (goodCycle == lastCycle) {
                cut = firstUnfinished(bytes, goodEnd);
                if (cut < 0) {
                    return; // clean: only complete metadata (Chronicle's index pages) past the last good record
                }
            } else {
                cut = -1;
                deleteCycle = true;
            }
            if (cut >= 0) {
                long last = Math.max(writePosition, cut);
                long end = writtenEnd(bytes, last);
                bytes.zeroOut(cut + 4, end);
                if (last > cut) {
                    bytes.writeVolatileInt(cut, META_DATA | (int) (last - cut - 4));
                }
                bytes.writeVolatileInt(last, META_DATA);
                LOG.warn("group {}: DR journal {} holds an unfinished or bad document after its last good record: "
                        + "bytes {}..{} cut off", group, file.getName(), cut, end);
            }
        } finally {
            bytes.releaseLast();
            queue.closeStore(store);
        }
        if (deleteCycle) {
            LOG.warn("group {}: DR journal {} holds no good record; deleted", group, file.getName());
            Files.deleteIfExists(file.toPath());
            queue.refreshDirectoryListing();
        }
    }

    /** Offset of the first header after {@code from} that is neither complete metadata nor the end, or -1. */
    private static long firstUnfinished(MappedBytes bytes, long from) {
        long position = from;
        while (position + 4 <= bytes.realCapacity()) {
            int header = bytes.readVolatileInt(position);
            if (header == 0) {
                return -1;
            }
            if ((header & NOT_COMPLETE) != 0 || (header & META_DATA) == 0) {
                return position;
            }
            position += 4 + (header & LENGTH_MASK);
        }
        return -1;
    }

    private static long writtenEnd(MappedBytes bytes, long position) {
        int header = bytes.readVolatileInt(position);
        long length = header & LENGTH_MASK;
        if (header == 0 || (header & NOT_COMPLETE) != 0) {
            length = Math.max(length, MAX_DOCUMENT);
        }
        return Math.min(position + 4 + length, bytes.realCapacity());
    }
}
