package io.tidemark.replicator.dr;

import io.tidemark.journal.JournalRecordDescriptor;
import io.tidemark.journal.RecordType;
import io.tidemark.replicator.seal.Compression;
import io.tidemark.replicator.seal.DataKey;
import io.tidemark.replicator.seal.Metadata;
import io.tidemark.replicator.seal.RecordSealer;
import io.tidemark.replicator.seal.SealedRecord;
import io.tidemark.replicator.ship.GroupDescriptor;
import io.tidemark.replicator.ship.VolumeDescriptor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A primary's record stream for tests, sealed like the shipper seals it, and an independent
 * model of every volume: the model replays the operations it generated (plain byte arrays),
 * never the history's code. Not thread-safe.
 */
final class RecordStream {

    static final int BLOCK = 512;
    static final int GROUP_ID = 7;
    static final long EPOCH = 1;

    final GroupDescriptor desc;
    final DataKey key = DataKey.generate();
    final TestClock clock;
    private final RecordSealer sealer;
    private final Random random;
    private final List<Op> ops = new ArrayList<>();
    private long sequence;

    /** One operation as the model applies it. */
    record Op(long sequence, int volumeId, RecordType type, int flags, long lba, long blocks, byte[] payload,
              long timestampMicros) {
    }

    RecordStream(TestClock clock, long seed, Compression compression, long... volumeBytes) {
        this.clock = clock;
        this.random = new Random(seed);
        this.sealer = new RecordSealer(key, compression);
        List<VolumeDescriptor> volumes = new ArrayList<>();
        for (int i = 0; i < volumeBytes.length; i++) {
            volumes.add(new VolumeDescriptor(i + 1, "vol" + (i + 1), volumeBytes[i], BLOCK));
        }
        this.desc = new GroupDescriptor("g1", GROUP_ID, EPOCH, volumes);
    }

    long sequence() {
        return sequence;
    }

    /** Skips sequences (a gap, as after an overrun). */
    void skip(long n) {
        sequence += n;
    }

    SealedRecord record(int volumeId, RecordType type, int flags, long lba, long blocks, byte[] payload) {
        long seq = ++sequence;
        long micros = clock.millis() * 1000;
        ops.add(new Op(seq, volumeId, type, flags, lba, blocks, payload, micros));
        return sealer.seal(type, flags, GROUP_ID, volumeId, EPOCH, seq, micros, lba, blocks,
                payload == null ? null : ByteBuffer.wrap(payload));
    }

    SealedRecord write(int volumeId, long lba, long blocks) {
        return record(volumeId, RecordType.WRITE, 0, lba, blocks, randomBytes((int) blocks * BLOCK));
    }

    SealedRecord unmap(int volumeId, long lba, long blocks) {
        return record(volumeId, RecordType.UNMAP, 0, lba, blocks, null);
    }

    SealedRecord writeSame(int volumeId, long lba, long blocks) {
        return record(volumeId, RecordType.WRITE_SAME, 0, lba, blocks, randomBytes(BLOCK));
    }

    SealedRecord compareAndWrite(int volumeId, long lba, long blocks, boolean miscompare) {
        return miscompare
                ? record(volumeId, RecordType.COMPARE_AND_WRITE, JournalRecordDescriptor.FLAG_MISCOMPARE, lba, blocks, null)
                : record(volumeId, RecordType.COMPARE_AND_WRITE, 0, lba, blocks, randomBytes((int) blocks * BLOCK));
    }

    SealedRecord snapshot(int volumeId, long lba, long blocks, boolean zero) {
        return zero ? record(volumeId, RecordType.SNAPSHOT, JournalRecordDescriptor.FLAG_ZERO, lba, blocks, null)
                : record(volumeId, RecordType.SNAPSHOT, 0, lba, blocks, randomBytes((int) blocks * BLOCK));
    }

    SealedRecord metadata(Metadata m) {
        return record(0, RecordType.METADATA, 0, 0, 0, m.toBytes());
    }

    SealedRecord checkpoint(String name) {
        return metadata(Metadata.checkpoint(name));
    }

    /** The records of a full sync of every volume in chunks of {@code chunkBlocks}: some zero, some data. */
    List<SealedRecord> fullSync(int chunkBlocks) {
        List<SealedRecord> out = new ArrayList<>();
        out.add(metadata(Metadata.syncStart(desc.totalBytes())));
        for (VolumeDescriptor v : desc.volumes()) {
            for (long lba = 0; lba < v.blockCount(); lba += chunkBlocks) {
                long n = Math.min(chunkBlocks, v.blockCount() - lba);
                out.add(snapshot(v.volumeId(), lba, n, random.nextInt(3) == 0));
            }
        }
        out.add(metadata(Metadata.syncComplete()));
        return out;
    }

    /** A random data operation over the volumes: mostly writes (some not 4 KiB aligned), unmaps, write same, CAW. */
    SealedRecord randomOp() {
        VolumeDescriptor v = desc.volumes().get(random.nextInt(desc.volumes().size()));
        long blocks = 1 + random.nextInt(24);
        long lba = random.nextInt((int) (v.blockCount() - blocks + 1));
        int kind = random.nextInt(20);
        if (kind < 13) {
            return write(v.volumeId(), lba, blocks);
        } else if (kind < 15) {
            return unmap(v.volumeId(), lba, blocks);
        } else if (kind < 17) {
            return writeSame(v.volumeId(), lba, blocks);
        } else if (kind < 19) {
            return compareAndWrite(v.volumeId(), lba, blocks, random.nextBoolean());
        }
        return checkpoint("cp-" + (sequence + 1));
    }

    Random random() {
        return random;
    }

    /** Every volume's content after every record up to {@code seq}, by volume id. */
    Map<Integer, byte[]> modelAt(long seq) {
        Map<Integer, byte[]> volumes = new LinkedHashMap<>();
        for (VolumeDescriptor v : desc.volumes()) {
            volumes.put(v.volumeId(), new byte[(int) v.sizeBytes()]);
        }
        for (Op op : ops) {
            if (op.sequence() > seq) {
                break;
            }
            byte[] vol = volumes.get(op.volumeId());
            int at = (int) (op.lba() * BLOCK);
            int length = (int) (op.blocks() * BLOCK);
            switch (op.type()) {
                case WRITE, SNAPSHOT, COMPARE_AND_WRITE -> {
                    if (op.payload() == null) {
                        if (op.type() == RecordType.SNAPSHOT) {
                            Arrays.fill(vol, at, at + length, (byte) 0);
                        }
                    } else {
                        System.arraycopy(op.payload(), 0, vol, at, length);
                    }
                }
                case UNMAP -> Arrays.fill(vol, at, at + length, (byte) 0);
                case WRITE_SAME -> {
                    for (int i = 0; i < op.blocks(); i++) {
                        System.arraycopy(op.payload(), 0, vol, at + i * BLOCK, BLOCK);
                    }
                }
                default -> {
                }
            }
        }
        return volumes;
    }

    List<Op> ops() {
        return ops;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        // half of the blocks compress (runs of one byte), so both codecs are exercised
        if (random.nextBoolean()) {
            Arrays.fill(b, 0, n / 2, (byte) random.nextInt(256));
        }
        return b;
    }
}
