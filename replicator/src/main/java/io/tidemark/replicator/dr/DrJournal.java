package io.tidemark.replicator.dr;

import io.tidemark.journal.JournalQueues;
import java.io.File;
import io.tidemark.replicator.seal.SealedRecordDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DR journal: sealed records exactly as received (ciphertext at rest), one Chronicle
 * document each, built like the primary's journal ({@link JournalQueues}). Appends come from one
 * thread at a time (the replica sink's caller; synchronized because that thread may change
 * across reconnects); reads of one record from any thread (pread at its file offset: they are
 * the cache misses of the view path); trimming a whole cycle file at a time. Thread-safe.
 */
final class DrJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DrJournal.class);

    /** Bytes a record read asks for first: header, a 4 KiB payload and tag with room to spare. */
    private static final int SPECULATIVE_READ = 8192;

    private final String group;
    private final Path directory;
    private final SingleChronicleQueue queue;
    private final CycleForcer forcer;
    private final Map<Integer, FileChannel> readChannels = new ConcurrentHashMap<>();
    private ExcerptAppender appender;
    private ByteBuffer staging = ByteBuffer.allocateDirect(64 * 1024);

    private DrJournal(String group, Path directory, SingleChronicleQueue queue) {
        this.group = group;
        this.directory = directory;
        this.queue = queue;
        this.forcer = new CycleForcer(directory);
    }

    static DrJournal open(String group, Path directory, Duration rollPeriod, Clock clock) throws IOException {
        Files.createDirectories(directory);
        return new DrJournal(group, directory, JournalQueues.open(directory, rollPeriod, clock));
    }

    /** Where a record is: its Chronicle index and the file offset of its first byte in its cycle file. */
    record Location(long index, long position) {
    }

    /** Appends one sealed record (position..limit of {@code record}); returns where it went. */
    synchronized Location append(ByteBuffer record) {
        if (appender == null) {
            appender = queue.createAppender();
            appender.singleThreadedCheckDisabled(true); // the sink's caller changes across reconnects
        }
        int length = record.remaining();
        if (staging.capacity() < length) {
            staging = ByteBuffer.allocateDirect(Math.max(length, staging.capacity() * 2));
        }
        // Chronicle copies heap buffers through array(), which a read-only view refuses
        ByteBuffer rest = staging.clear();
        rest.put(record.duplicate()).flip();
        long position;
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> out = dc.wire().bytes();
            position = out.writePosition();
            out.writeSome(rest);
            if (rest.hasRemaining()) {
                // Chronicle caps a document at a quarter of its block size and truncates silently
                dc.rollbackOnClose();
                throw new IllegalStateException("DR journal document of group " + group + ": " + length
                        + " bytes, only " + (length - rest.remaining()) + " fit");
            }
        }
        forcer.note(appender.currentFile());
        return new Location(appender.lastIndexAppended(), position);
    }

    /** fdatasync of what was appended (and of the directory when a cycle file was created). */
    void force() throws IOException {
        forcer.force();
    }

    /**
     * Reads the record at {@code index} whose bytes start at {@code position} of its cycle file
     * with pread (a Chronicle index lookup costs ~100x more) into the caller's reusable buffer
     * (or, for a record larger than it keeps, one of the record's own). Returns a heap,
     * little-endian buffer holding the record from position 0 to its limit (its array can go
     * to the cipher as is), valid until the next read into {@code into}; or null when the
     * record's cycle file is gone (trimmed).
     */
    ByteBuffer read(long index, long position, ReadBuffer into) throws IOException {
        FileChannel channel = channelOf(queue.rollCycle().toCycle(index));
        if (channel == null) {
            return null;
        }
        // one pread covers the header and, for records up to a 4 KiB payload, the whole record
        ByteBuffer record = into.buffer;
        record.clear().limit(SPECULATIVE_READ);
        long at = position;
        while (record.position() < SealedRecordDescriptor.HEADER_LENGTH) {
            int n = channel.read(record, at);
            if (n < 0) {
                throw new IOException("group " + group + ": DR journal ends at " + at + " (expected a record there)");
            }
            at += n;
        }
        int got = record.position();
        int sealed = record.getInt(SealedRecordDescriptor.SEALED_LENGTH_OFFSET);
        if (sealed < SealedRecordDescriptor.TAG_LENGTH || sealed > SealedRecordDescriptor.MAX_SEALED_LENGTH) {
            throw new IOException("group " + group + ": DR journal index " + index + " at offset " + position
                    + ": sealed length " + sealed + " (expected: " + SealedRecordDescriptor.TAG_LENGTH + ".."
                    + SealedRecordDescriptor.MAX_SEALED_LENGTH + ")");
        }
        int total = SealedRecordDescriptor.HEADER_LENGTH + sealed;
        if (total > got) {
            if (total > record.capacity()) {
                record = into.grow(total, got); // what the first pread got stays at the front
            }
            // the rest right after it, in the same array: no copy
            record.limit(total).position(got);
            readFully(channel, record, position + got);
        }
        return record.limit(total).position(0);
    }

    /**
     * A reader's buffer for {@link #read}, reused from record to record: it grows to fit the
     * records read, up to {@link #RETAINED_BYTES}; a larger record is read into a buffer of its
     * own (rare: a sync chunk or a very large write, whose opening costs far more). Not
     * thread-safe: one per reader.
     */
    static final class ReadBuffer {

        /** The largest buffer kept for the next record: one of up to 256 KiB of payload. */
        static final int RETAINED_BYTES = SealedRecordDescriptor.HEADER_LENGTH + (256 << 10)
                + SealedRecordDescriptor.TAG_LENGTH;

        private ByteBuffer buffer = allocate(SPECULATIVE_READ);

        /** A buffer of at least {@code length} bytes starting with the first {@code keep} of the current one. */
        private ByteBuffer grow(int length, int keep) {
            ByteBuffer bigger = allocate(length > RETAINED_BYTES ? length
                    : Math.min(RETAINED_BYTES, Math.max(length, 2 * buffer.capacity())));
            bigger.put(0, buffer, 0, keep);
            if (bigger.capacity() <= RETAINED_BYTES) {
                buffer = bigger;
            }
            return bigger;
        }

        /** Bytes of the buffer kept (tests). */
        int capacity() {
            return buffer.capacity();
        }

        private static ByteBuffer allocate(int length) {
            return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new IOException("group " + group + ": DR journal ends at " + at + " (expected a record there)");
            }
            at += n;
        }
    }

    private FileChannel channelOf(int cycle) throws IOException {
        FileChannel channel = readChannels.get(cycle);
        if (channel != null) {
            return channel;
        }
        synchronized (readChannels) {
            channel = readChannels.get(cycle);
            if (channel == null) {
                File file = fileOf(cycle);
                if (file == null || !file.exists()) {
                    return null;
                }
                channel = FileChannel.open(file.toPath(), StandardOpenOption.READ);
                readChannels.put(cycle, channel);
            }
            return channel;
        }
    }

    /** A reader from the first record (index -1) or from the record after {@code index}. */
    Scanner scanAfter(long index) {
        return new Scanner(queue.createTailer(), index, true);
    }

    /** A reader whose first record is the one at {@code index} (or the first of all when it is gone). */
    Scanner scanAt(long index) {
        return new Scanner(queue.createTailer(), index, false);
    }

    /** Cuts what follows the last good record off (see {@link DrTailRepair}); call before the first append. */
    void repairTail(int goodCycle, long goodEnd, int badCycle, long badHeader) throws IOException {
        DrTailRepair.repair(group, queue, goodCycle, goodEnd, badCycle, badHeader);
    }

    RollCycle rollCycle() {
        return queue.rollCycle();
    }

    /**
     * Deletes every cycle file older than the cycle holding {@code index} (all their records are
     * at or before it), never the newest cycle. Returns the files deleted.
     */
    int trimBefore(long index) throws IOException {
        int keepFrom = queue.rollCycle().toCycle(index);
        int first = queue.firstCycle();
        int last = queue.lastCycle();
        if (first == Integer.MAX_VALUE || first >= last || keepFrom <= first) {
            return 0;
        }
        int deleted = 0;
        for (Long c : queue.listCyclesBetween(first, Math.min(keepFrom, last) - 1)) {
            int cycle = c.intValue();
            if (cycle >= keepFrom || cycle >= last) {
                break;
            }
            File file = fileOf(cycle);
            if (file == null) {
                continue;
            }
            FileChannel reading = readChannels.remove(cycle);
            if (reading != null) {
                reading.close();
            }
            try {
                Files.delete(file.toPath());
                deleted++;
                LOG.info("group {}: trimmed DR journal cycle file {} (every record applied to the base)", group,
                        file.getName());
            } catch (NoSuchFileException e) {
                // already gone
            }
        }
        if (deleted > 0) {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }

    /** Bytes the cycle files hold up to the end of their last document (their mapped size is mostly holes). */
    long usedBytes() {
        long total = 0;
        int first = queue.firstCycle();
        int last = queue.lastCycle();
        if (first != Integer.MAX_VALUE && last != Integer.MIN_VALUE) {
            for (Long cycle : queue.listCyclesBetween(first, last)) {
                total += usedBytes(cycle.intValue());
            }
        }
        return total;
    }

    private long usedBytes(int cycle) {
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            return 0;
        }
        MappedBytes bytes = store.bytes();
        try {
            long position = store.writePosition();
            return position + 4 + (bytes.readVolatileInt(position) & 0x3FFFFFFF);
        } finally {
            bytes.releaseLast();
            queue.closeStore(store);
        }
    }

    File fileOf(int cycle) {
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            return null;
        }
        try {
            return store.file();
        } finally {
            queue.closeStore(store);
        }
    }

    Path directory() {
        return directory;
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (appender != null) {
                appender.close();
            }
        }
        for (FileChannel c : readChannels.values()) {
            c.close();
        }
        readChannels.clear();
        forcer.close();
        queue.close();
    }

    /** Reads records in order with their indexes. Not thread-safe: one per reading thread. */
    static final class Scanner implements AutoCloseable {

        private final ExcerptTailer tailer;
        private ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
        private long index = -1;
        private int cycle = Integer.MIN_VALUE;
        private long headerPosition = -1;
        private long endPosition = -1;

        private Scanner(ExcerptTailer tailer, long index, boolean after) {
            this.tailer = tailer;
            if (index >= 0 && tailer.moveToIndex(index)) {
                if (after) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        // skip the document at 'index' itself
                    }
                }
            } else {
                tailer.toStart();
            }
        }

        /** The next record (a view of an internal buffer valid until the next call), or null at the end. */
        ByteBuffer next() {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return null;
                }
                index = dc.index();
                cycle = tailer.cycle();
                Bytes<?> in = dc.wire().bytes();
                int length = (int) in.readRemaining();
                headerPosition = in.readPosition() - 4;
                endPosition = in.readPosition() + length;
                if (scratch.capacity() < length) {
                    scratch = ByteBuffer.allocate(Math.max(length, scratch.capacity() * 2));
                }
                ByteBuffer target = scratch.clear().limit(length);
                in.read(target);
                return target.flip();
            }
        }

        /** Chronicle index of the record {@link #next()} returned last. */
        long index() {
            return index;
        }

        /** Cycle of the record {@link #next()} returned last. */
        int cycle() {
            return cycle;
        }

        /** File offset of that record's 4-byte Chronicle header. */
        long headerPosition() {
            return headerPosition;
        }

        /** File offset just past that record. */
        long endPosition() {
            return endPosition;
        }

        @Override
        public void close() {
            tailer.close();
        }
    }
}
