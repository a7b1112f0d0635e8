package io.tidemark.journal;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;
import io.tidemark.nativeio.AlignedBuffers;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Ring stage 1: appends each event as one record to the group's Chronicle Queue, in ring order,
 * answers a command that is alone in its batch at once ({@link Completion}; the store applier
 * answers the others), and hands the end of every batch to the force thread (group commit). A
 * COMPARE AND WRITE is decided here, at its place in the order: the stage lets the store applier catch up to the
 * record before it, compares against the store, and journals the outcome, so replay and the
 * DR site apply exactly what happened. A SNAPSHOT (sync chunk) reads its blocks from the store
 * the same way, at its place in the order. Not thread-safe: runs on its ring thread only (the
 * Chronicle appender is bound to that thread).
 */
final class JournalAppender implements EventHandler<WriteEvent> {

    private static final long CATCH_UP_TIMEOUT_S = 60;
    /** Largest payload copied so that a lone command can be answered before it is applied. */
    private static final int EARLY_COPY_LIMIT = 256 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final SingleChronicleQueue queue;
    private final VolumeSlot[] volumes;
    private final int groupId;
    private final long epoch;
    private final Clock clock;
    private final JournalSync sync;
    private final AppliedSequence applied;
    private final GroupHealth health;
    private final JournalMetrics metrics;
    private final CycleFileForcer forcer;
    private final Completion completer;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer header = AlignedBuffers.allocate(JournalRecordDescriptor.HEADER_LENGTH);
    private ByteBuffer compareScratch = AlignedBuffers.allocate(4096);
    private ExcerptAppender appender;
    private Sequence sequenceCallback;
    private int batchRecords;
    private boolean batchWantsSync;

    JournalAppender(SingleChronicleQueue queue, VolumeSlot[] volumes, int groupId, long epoch, Clock clock,
                    JournalSync sync, AppliedSequence applied, GroupHealth health, JournalMetrics metrics,
                    CycleFileForcer forcer, Completion completer) {
        this.queue = queue;
        this.volumes = volumes;
        this.groupId = groupId;
        this.epoch = epoch;
        this.clock = clock;
        this.sync = sync;
        this.applied = applied;
        this.health = health;
        this.metrics = metrics;
        this.forcer = forcer;
        this.completer = completer;
    }

    @Override
    public void setSequenceCallback(Sequence sequenceCallback) {
        this.sequenceCallback = sequenceCallback;
    }

    @Override
    public void onStart() {
        appender = queue.createAppender();
    }

    @Override
    public void onShutdown() {
        if (appender != null) {
            appender.close();
        }
    }

    @Override
    public void onEvent(WriteEvent event, long ringSequence, boolean endOfBatch) {
        if (!health.failed()) {
            try {
                append(event, ringSequence);
            } catch (RuntimeException | InterruptedException | java.util.concurrent.TimeoutException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                health.fail("journal append of seq " + event.sequence, e);
            }
        }
        if (health.failed()) {
            event.failure = health.failure();
        } else {
            forcer.note(appender.currentFile());
        }
        boolean durable = event.durable;
        // appended before answered: whoever hears of this record can flush it or seek to it
        sync.appended(event.sequence, false);
        if (endOfBatch && batchRecords == 0) {
            completeEarly(event);
        }
        batchRecords++;
        batchWantsSync |= durable;
        if (endOfBatch) {
            if (batchWantsSync) {
                sync.request(event.sequence);
            }
            metrics.batch(batchRecords);
            batchRecords = 0;
            batchWantsSync = false;
        }
    }

    private void append(WriteEvent event, long ringSequence) throws InterruptedException, java.util.concurrent.TimeoutException {
        VolumeSlot volume = event.type == RecordType.METADATA ? null : VolumeSlot.find(volumes, event.volumeId);
        int flags = event.fua ? JournalRecordDescriptor.FLAG_FUA : 0;
        ByteBuffer payload = event.payload;
        if (event.type == RecordType.COMPARE_AND_WRITE) {
            event.mismatchOffset = compare(event, volume, ringSequence);
            if (event.mismatchOffset >= 0) {
                flags |= JournalRecordDescriptor.FLAG_MISCOMPARE;
                payload = null;
            }
        } else if (event.type == RecordType.SNAPSHOT) {
            payload = snapshot(event, volume, ringSequence);
            if (isZero(payload)) {
                flags |= JournalRecordDescriptor.FLAG_ZERO;
                payload = null;
            }
        }
        int payloadLength = payload == null ? 0 : payload.remaining();
        JournalRecordDescriptor.encodeHeader(header, 0, event.type, flags, payloadLength, groupId, event.volumeId,
                epoch, event.sequence, clock.millis() * 1000, event.lba, event.blockCount);
        JournalRecordDescriptor.putCrc(header, 0, JournalRecordDescriptor.crc(crc, header, 0, payload));
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> out = dc.wire().bytes();
            out.writeSome(header.duplicate().clear());
            if (payload != null) {
                ByteBuffer rest = payload.duplicate();
                out.writeSome(rest);
                if (rest.hasRemaining()) {
                    // Chronicle caps a document at a quarter of its block size and truncates silently
                    dc.rollbackOnClose();
                    throw new IllegalStateException("journal document for seq " + event.sequence + ": " + payloadLength
                            + " payload bytes, only " + (payloadLength - rest.remaining()) + " fit (expected: up to "
                            + JournalRecordDescriptor.MAX_PAYLOAD_LENGTH + ")");
                }
            }
        }
        event.journalIndex = appender.lastIndexAppended();
        if (volume != null) {
            metrics.appended(volume.slot, JournalRecordDescriptor.recordLength(payloadLength));
        }
    }

    /**
     * Answers a command alone in its batch (queue depth 1) now, once journaled, instead of after
     * the store applier: one thread hand-off less on the latency path. The applier then applies
     * a copy of the payload (small ones only: the copy costs what the hand-off saves).
     */
    private void completeEarly(WriteEvent event) {
        ByteBuffer payload = event.payload;
        if (event.failure == null && payload != null) {
            if (payload.remaining() > EARLY_COPY_LIMIT) {
                return;
            }
            event.payload = ByteBuffer.allocate(payload.remaining()).put(payload.duplicate()).flip();
        }
        event.compare = null;
        completer.complete(event);
    }

    /** The blocks of a SNAPSHOT as the store holds them once every record before it is applied. */
    private ByteBuffer snapshot(WriteEvent event, VolumeSlot volume, long ringSequence)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        catchUp(event, ringSequence, "sync chunk");
        int length = (int) (event.blockCount * volume.store.blockSize());
        ByteBuffer content = scratch(length);
        try {
            volume.store.read(event.lba, content);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("sync chunk read of volume " + volume.name + " at " + event.lba, e);
        }
        return content.clear().limit(length);
    }

    private static boolean isZero(ByteBuffer content) {
        for (int at = content.position(); at < content.limit(); at += ZEROS.capacity()) {
            int n = Math.min(ZEROS.capacity(), content.limit() - at);
            if (content.slice(at, n).mismatch(ZEROS.slice(0, n)) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** Lets the store applier apply every record before this one and waits until it has. */
    private void catchUp(WriteEvent event, long ringSequence, String what)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        // release the records before this one to the applier and wait until the store holds them
        sequenceCallback.set(ringSequence - 1);
        if (!applied.await(event.sequence - 1, CATCH_UP_TIMEOUT_S, TimeUnit.SECONDS, health::failed)) {
            throw new IllegalStateException("store applier failed before " + what + " seq " + event.sequence);
        }
    }

    private ByteBuffer scratch(int length) {
        if (compareScratch.capacity() < length) {
            compareScratch = AlignedBuffers.allocate(Math.max(length, compareScratch.capacity() * 2));
        }
        return compareScratch.clear().limit(length);
    }

    /** Offset of the first difference between the store (as of the previous record) and the compare data, or -1. */
    private long compare(WriteEvent event, VolumeSlot volume, long ringSequence)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        catchUp(event, ringSequence, "COMPARE AND WRITE");
        int length = event.compare.remaining();
        ByteBuffer current = scratch(length);
        try {
            volume.store.read(event.lba, current);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("COMPARE AND WRITE read of volume " + volume.name + " at " + event.lba, e);
        }
        return current.clear().limit(length).mismatch(event.compare.duplicate());
    }
}
