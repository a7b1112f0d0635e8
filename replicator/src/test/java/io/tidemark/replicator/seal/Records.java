package io.tidemark.replicator.seal;

import io.tidemark.journal.JournalRecord;
import io.tidemark.journal.JournalRecordDescriptor;
import io.tidemark.journal.RecordType;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32C;

/** Builds journal records in memory for seal tests. */
final class Records {

    private Records() {
    }

    static JournalRecord journal(RecordType type, int flags, long epoch, long sequence, long lba, long blocks,
                                 ByteBuffer payload) {
        int length = payload == null ? 0 : payload.remaining();
        ByteBuffer b = ByteBuffer.allocate(JournalRecordDescriptor.recordLength(length));
        JournalRecordDescriptor.encodeHeader(b, 0, type, flags, length, 9, 3, epoch, sequence, 1_700_000_000_000_000L
                + sequence, lba, blocks);
        if (payload != null) {
            b.put(JournalRecordDescriptor.HEADER_LENGTH, payload.duplicate(), payload.position(), length);
        }
        int crc = JournalRecordDescriptor.crc(new CRC32C(), b, 0,
                b.duplicate().position(JournalRecordDescriptor.HEADER_LENGTH));
        JournalRecordDescriptor.putCrc(b, 0, crc);
        return new JournalRecord().wrap(b, 0, b.capacity());
    }

    static ByteBuffer random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** Text-like data: compresses well. */
    static ByteBuffer compressible(int length) {
        byte[] bytes = new byte[length];
        byte[] words = "tidemark journal record block ".getBytes();
        for (int i = 0; i < length; i++) {
            bytes[i] = words[(i * 7 / 5) % words.length];
        }
        return ByteBuffer.wrap(bytes);
    }
}
