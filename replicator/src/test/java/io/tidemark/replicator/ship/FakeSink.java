package io.tidemark.replicator.ship;

import io.tidemark.journal.JournalRecordDescriptor;
import io.tidemark.journal.RecordType;
import io.tidemark.replicator.seal.DataKey;
import io.tidemark.replicator.seal.Metadata;
import io.tidemark.replicator.seal.OpenedRecord;
import io.tidemark.replicator.seal.RecordOpener;
import io.tidemark.replicator.seal.SealedRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ReplicaSink} in memory: verifies and opens every record, keeps the opened records
 * ("durable" once synced) and applies them to volume images. Records violations of the order
 * rules instead of trusting the receiver. Thread-safe (synchronized).
 */
final class FakeSink implements ReplicaSink {

    private final GroupDescriptor desc;
    private final RecordOpener opener;
    private final List<OpenedRecord> pending = new ArrayList<>();
    final List<OpenedRecord> durable = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    private final Map<Integer, byte[]> images = new HashMap<>();
    private long appended;
    private long durableSeq;
    private long epoch;
    private boolean syncComplete;
    int tampered;
    boolean tellsSyncComplete = true;

    FakeSink(GroupDescriptor desc, DataKey key) {
        this.desc = desc;
        this.opener = new RecordOpener(key);
        for (VolumeDescriptor v : desc.volumes()) {
            images.put(v.volumeId(), new byte[(int) v.sizeBytes()]);
        }
    }

    @Override
    public synchronized long epoch() {
        return epoch;
    }

    @Override
    public synchronized long durableSequence() {
        return durableSeq;
    }

    @Override
    public synchronized void append(SealedRecord r) throws IOException {
        OpenedRecord o;
        try {
            o = opener.open(r);
        } catch (IOException e) {
            tampered++;
            throw e;
        }
        boolean syncStart = o.type() == RecordType.METADATA && Metadata.parse(o.payload()).isSyncStart();
        if (o.sequence() != appended + 1 && !(syncStart && o.sequence() > appended)) {
            violations.add("seq " + o.sequence() + " after " + appended);
            throw new IOException("seq " + o.sequence() + " out of order (expected: " + (appended + 1) + ")");
        }
        appended = o.sequence();
        epoch = o.epoch();
        pending.add(o);
    }

    @Override
    public synchronized long sync() {
        for (OpenedRecord o : pending) {
            apply(o);
            durable.add(o);
        }
        pending.clear();
        durableSeq = appended;
        return durableSeq;
    }

    @Override
    public synchronized boolean initialSyncComplete() {
        return tellsSyncComplete && syncComplete;
    }

    synchronized byte[] image(int volumeId) {
        return images.get(volumeId).clone();
    }

    synchronized List<Long> sequences() {
        return durable.stream().map(OpenedRecord::sequence).toList();
    }

    synchronized List<OpenedRecord> records() {
        return List.copyOf(durable);
    }

    private void apply(OpenedRecord o) {
        if (o.type() == RecordType.METADATA) {
            Metadata m = Metadata.parse(o.payload());
            if (m.isSyncStart()) {
                syncComplete = false;
            } else if (m.isSyncComplete()) {
                syncComplete = true;
            }
            return;
        }
        byte[] image = images.get(o.volumeId());
        int bs = desc.volume(o.volumeId()).blockSize();
        int at = (int) (o.lba() * bs);
        int len = (int) (o.blockCount() * bs);
        ByteBuffer p = o.payload();
        switch (o.type()) {
            case WRITE -> p.get(image, at, len);
            case COMPARE_AND_WRITE -> {
                if ((o.flags() & JournalRecordDescriptor.FLAG_MISCOMPARE) == 0) {
                    p.get(image, at, len);
                }
            }
            case SNAPSHOT -> {
                if ((o.flags() & JournalRecordDescriptor.FLAG_ZERO) != 0) {
                    java.util.Arrays.fill(image, at, at + len, (byte) 0);
                } else {
                    p.get(image, at, len);
                }
            }
            case UNMAP -> java.util.Arrays.fill(image, at, at + len, (byte) 0);
            case WRITE_SAME -> {
                for (int b = 0; b < o.blockCount(); b++) {
                    p.duplicate().get(image, at + b * bs, bs);
                }
            }
            default -> violations.add("unexpected record " + o);
        }
    }
}
