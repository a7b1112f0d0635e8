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
 * and hands the end of every batch to the force thread (group commit). A COMPARE AND WRITE is
 * decided here, at its place in the order: the stage lets the store applier catch up to the
 * record before it, compares against the store, and journals the outcome, so replay and the
 * DR site apply exactly what happened. Not thread-safe: runs on its ring thread only (the
 * Chronicle appender is bound to that thread).
 */
final class JournalAppender implements EventHandler<WriteEvent> {

    private static final long CATCH_UP_TIMEOUT_S = 60;

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
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer header = AlignedBuffers.allocate(JournalRecordDescriptor.HEADER_LENGTH);
    private ByteBuffer compareScratch = AlignedBuffers.allocate(4096);
    private ExcerptAppender appender;
    private Sequence sequenceCallback;
    private int batchRecords;
    private boolean batchWantsSync;

    JournalAppender(SingleChronicleQueue queue, VolumeSlot[] volumes, int groupId, long epoch, Clock clock,
                    JournalSync sync, AppliedSequence applied, GroupHealth health, JournalMetrics metrics,
                    CycleFileForcer forcer) {
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
        }
        batchRecords++;
        batchWantsSync |= event.durable;
        if (endOfBatch) {
            if (appender != null && !health.failed()) {
                forcer.note(appender.currentFile());
            }
            sync.appended(event.sequence, batchWantsSync);
            metrics.batch(batchRecords);
            batchRecords = 0;
            batchWantsSync = false;
        }
    }

    private void append(WriteEvent event, long ringSequence) throws InterruptedException, java.util.concurrent.TimeoutException {
        VolumeSlot volume = VolumeSlot.find(volumes, event.volumeId);
        int flags = event.fua ? JournalRecordDescriptor.FLAG_FUA : 0;
        ByteBuffer payload = event.payload;
        if (event.type == RecordType.COMPARE_AND_WRITE) {
            event.mismatchOffset = compare(event, volume, ringSequence);
            if (event.mismatchOffset >= 0) {
                flags |= JournalRecordDescriptor.FLAG_MISCOMPARE;
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
        metrics.appended(volume.slot, JournalRecordDescriptor.recordLength(payloadLength));
    }

    /** Offset of the first difference between the store (as of the previous record) and the compare data, or -1. */
    private long compare(WriteEvent event, VolumeSlot volume, long ringSequence)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        // release the records before this one to the applier and wait until the store holds them
        sequenceCallback.set(ringSequence - 1);
        if (!applied.await(event.sequence - 1, CATCH_UP_TIMEOUT_S, TimeUnit.SECONDS, health::failed)) {
            throw new IllegalStateException("store applier failed before COMPARE AND WRITE seq " + event.sequence);
        }
        int length = event.compare.remaining();
        if (compareScratch.capacity() < length) {
            compareScratch = AlignedBuffers.allocate(Math.max(length, compareScratch.capacity() * 2));
        }
        ByteBuffer current = compareScratch.clear().limit(length);
        try {
            volume.store.read(event.lba, current);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("COMPARE AND WRITE read of volume " + volume.name + " at " + event.lba, e);
        }
        return current.clear().limit(length).mismatch(event.compare.duplicate());
    }
}
