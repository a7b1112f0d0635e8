package io.tidemark.replicator.seal;

import com.github.luben.zstd.Zstd;
import io.tidemark.journal.JournalRecord;
import io.tidemark.journal.RecordType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals journal records with a group's {@link DataKey}: compresses the payload with zstd when
 * that saves at least 1/8 ({@link Compression}), then encrypts it with the JDK's AES-256-GCM,
 * the cleartext header being the associated data ({@link SealedRecordDescriptor}).
 * Not thread-safe: one instance per thread (a JDK {@link Cipher} is not thread-safe).
 */
public final class RecordSealer {

    private static final byte[] THROWAWAY_NONCE = new byte[SealedRecordDescriptor.NONCE_LENGTH];

    static final int MISSES_BEFORE_PROBING = 8;
    static final int PROBE_EVERY = 32;

    private final SealKeys keys;
    private final Compression compression;
    private final Cipher cipher;
    private byte[] plainScratch = new byte[0];
    private byte[] packedScratch = new byte[0];
    private ByteBuffer copiedPayload;
    private int misses;
    private long skipped;

    public RecordSealer(DataKey key, Compression compression) {
        this.keys = new SealKeys(key);
        this.compression = compression;
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JDK", e);
        }
    }

    public Compression compression() {
        return compression;
    }

    /** Seals {@code r} into a fresh heap buffer. */
    public SealedRecord seal(JournalRecord r) {
        return seal(r, null);
    }

    /**
     * Seals {@code r} into {@code dst} at its position and advances the position past it;
     * {@code dst} must be backed by an array and have {@link #maxRecordLength} of the payload
     * remaining. With {@code dst} null, into a fresh buffer. The record returned views those bytes.
     */
    public SealedRecord seal(JournalRecord r, ByteBuffer dst) {
        return seal(r.type(), r.flags(), r.groupId(), r.volumeId(), r.epoch(), r.sequence(), r.timestampMicros(),
                r.lba(), r.blockCount(), r.payload(), dst);
    }

    /** The most bytes a sealed record with a payload of {@code plainLength} bytes takes (it never grows by compression). */
    public static int maxRecordLength(int plainLength) {
        return SealedRecordDescriptor.recordLength(plainLength + SealedRecordDescriptor.TAG_LENGTH);
    }

    /**
     * Seals a record given by its fields into a fresh buffer; {@code payload} is read from position
     * to limit (left unchanged; null or empty for none).
     */
    public SealedRecord seal(RecordType type, int flags, int groupId, int volumeId, long epoch, long sequence,
                             long timestampMicros, long lba, long blockCount, ByteBuffer payload) {
        return seal(type, flags, groupId, volumeId, epoch, sequence, timestampMicros, lba, blockCount, payload, null);
    }

    private SealedRecord seal(RecordType type, int flags, int groupId, int volumeId, long epoch, long sequence,
                              long timestampMicros, long lba, long blockCount, ByteBuffer payload, ByteBuffer dst) {
        int plainLength = payload == null ? 0 : payload.remaining();
        if (plainLength > SealedRecordDescriptor.MAX_PLAIN_LENGTH) {
            throw new IllegalArgumentException("payload of seq " + sequence + ": " + plainLength + " bytes (expected: <= "
                    + SealedRecordDescriptor.MAX_PLAIN_LENGTH + ")");
        }
        copiedPayload = null;
        Compression used = Compression.NONE;
        int packedLength = plainLength;
        if (compression.codec() == Compression.Codec.ZSTD && plainLength >= Compression.MIN_COMPRESSIBLE_LENGTH
                && worthTrying()) {
            packedLength = compress(payload, plainLength);
            if (packedLength >= 0) {
                used = compression;
                misses = 0;
            } else {
                packedLength = plainLength;
                misses++;
            }
        }
        int sealedLength = packedLength + SealedRecordDescriptor.TAG_LENGTH;
        int length = SealedRecordDescriptor.recordLength(sealedLength);
        ByteBuffer out;
        int base;
        if (dst == null) {
            out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            base = 0;
        } else {
            if (!dst.hasArray() || dst.remaining() < length) {
                throw new IllegalArgumentException("destination of seq " + sequence + ": " + dst.remaining()
                        + " bytes" + (dst.hasArray() ? "" : " without an array") + " (expected: an array-backed buffer with "
                        + length + " bytes)");
            }
            out = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            base = dst.position();
        }
        SealedRecordDescriptor.encodeHeader(out, base, type, flags, used, groupId, volumeId, epoch, sequence,
                timestampMicros, lba, blockCount, plainLength, sealedLength);
        byte[] array = out.array();
        int header = out.arrayOffset() + base;
        int body = header + SealedRecordDescriptor.HEADER_LENGTH;
        try {
            initEncrypt(keys.forCodec(used.codec().code(), used.level()), SealedRecordDescriptor.nonce(epoch, sequence));
            cipher.updateAAD(array, header, SealedRecordDescriptor.HEADER_LENGTH);
            int written;
            if (used != Compression.NONE) {
                written = cipher.doFinal(packedScratch, 0, packedLength, array, body);
            } else if (plainLength == 0) {
                written = cipher.doFinal(array, body, 0, array, body);
            } else if (payload.hasArray()) {
                written = cipher.doFinal(payload.array(), payload.arrayOffset() + payload.position(), plainLength,
                        array, body);
            } else {
                // the JDK's GCM runs fastest on arrays: one copy of a direct (or read-only) payload is cheaper
                byte[] plain = plainCopy(payload, plainLength);
                written = cipher.doFinal(plain, 0, plainLength, array, body);
            }
            if (written != sealedLength) {
                throw new IllegalStateException("sealed length of seq " + sequence + ": " + written + " (expected: "
                        + sealedLength + ")");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing seq " + sequence + " failed", e);
        }
        SealedRecord sealed = SealedRecord.wrap(out.duplicate().limit(base + length).position(base));
        if (dst != null) {
            dst.position(base + length);
        }
        return sealed;
    }

    /**
     * After {@link #MISSES_BEFORE_PROBING} payloads in a row that did not compress, only every
     * {@link #PROBE_EVERY}th is tried (incompressible data would otherwise cost a zstd pass each).
     * Safe for resends: a record sealed again with another codec is sealed under another key.
     */
    private boolean worthTrying() {
        return misses < MISSES_BEFORE_PROBING || ++skipped % PROBE_EVERY == 0;
    }

    /** {@code payload} in plainScratch (unless it is already there). */
    private byte[] plainCopy(ByteBuffer payload, int plainLength) {
        if (payload != copiedPayload) {
            if (plainScratch.length < plainLength) {
                plainScratch = new byte[plainLength];
            }
            payload.duplicate().get(plainScratch, 0, plainLength);
        }
        copiedPayload = null;
        return plainScratch;
    }

    /** Compresses into packedScratch; the packed length, or -1 when compression does not pay. */
    private int compress(ByteBuffer payload, int plainLength) {
        byte[] plain;
        int offset;
        if (payload.hasArray()) {
            plain = payload.array();
            offset = payload.arrayOffset() + payload.position();
        } else {
            plain = plainCopy(payload, plainLength);
            copiedPayload = payload; // the encryption may reuse this copy
            offset = 0;
        }
        int bound = (int) Zstd.compressBound(plainLength);
        if (packedScratch.length < bound) {
            packedScratch = new byte[bound];
        }
        long n = Zstd.compressByteArray(packedScratch, 0, bound, plain, offset, plainLength, compression.level());
        if (Zstd.isError(n) || n > plainLength - plainLength / Compression.MIN_SAVING_DIVISOR) {
            return -1;
        }
        return (int) n;
    }

    private void initEncrypt(SecretKeySpec key, byte[] nonce) throws GeneralSecurityException {
        GCMParameterSpec spec = new GCMParameterSpec(SealedRecordDescriptor.TAG_LENGTH * 8, nonce);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, spec);
        } catch (InvalidAlgorithmParameterException e) {
            // the JDK refuses the same key+nonce twice in a row: a resend of the same record (same bytes) is safe
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(SealedRecordDescriptor.TAG_LENGTH * 8,
                    THROWAWAY_NONCE));
            cipher.init(Cipher.ENCRYPT_MODE, key, spec);
        }
    }
}
