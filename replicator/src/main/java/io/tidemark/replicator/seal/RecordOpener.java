package io.tidemark.replicator.seal;

import com.github.luben.zstd.Zstd;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Opens sealed records with a group's {@link DataKey}: verifies the AES-256-GCM tag over header
 * and ciphertext, decrypts, decompresses. Not thread-safe: one instance per thread (a JDK
 * {@link Cipher} is not thread-safe).
 */
public final class RecordOpener {

    private final SealKeys keys;
    private final Cipher cipher;
    private byte[] scratch = new byte[0];

    public RecordOpener(DataKey key) {
        this.keys = new SealKeys(key);
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JDK", e);
        }
    }

    /**
     * Verifies and opens {@code r}.
     *
     * @throws TamperedRecordException when the tag does not match (or the plaintext does not decompress to its length)
     */
    public OpenedRecord open(SealedRecord r) throws TamperedRecordException {
        ByteBuffer bytes = r.bytes();
        int codec = bytes.get(SealedRecordDescriptor.CODEC_OFFSET) & 0xff;
        int level = bytes.get(SealedRecordDescriptor.CODEC_LEVEL_OFFSET);
        long sequence = r.sequence();
        byte[] packed = new byte[r.sealedLength() - SealedRecordDescriptor.TAG_LENGTH];
        try {
            cipher.init(Cipher.DECRYPT_MODE, keys.forCodec(codec, level),
                    new GCMParameterSpec(SealedRecordDescriptor.TAG_LENGTH * 8,
                            SealedRecordDescriptor.nonce(r.epoch(), sequence)));
            ByteBuffer raw = r.buffer();
            byte[] array;
            int offset;
            if (raw.hasArray()) {
                array = raw.array();
                offset = raw.arrayOffset();
            } else {
                // the JDK's GCM runs fastest on arrays: copy a direct record once
                if (scratch.length < r.length()) {
                    scratch = new byte[r.length()];
                }
                raw.duplicate().position(0).get(scratch, 0, r.length());
                array = scratch;
                offset = 0;
            }
            cipher.updateAAD(array, offset, SealedRecordDescriptor.HEADER_LENGTH);
            int n = cipher.doFinal(array, offset + SealedRecordDescriptor.HEADER_LENGTH, r.sealedLength(), packed, 0);
            if (n != packed.length) {
                throw new TamperedRecordException(sequence, "record seq " + sequence + ": opened " + n
                        + " bytes (expected: " + packed.length + ")");
            }
        } catch (AEADBadTagException e) {
            throw new TamperedRecordException(sequence, "record seq " + sequence + " (epoch " + r.epoch()
                    + "): authentication tag does not match (altered, replayed elsewhere or another key)");
        } catch (GeneralSecurityException e) {
            throw new TamperedRecordException(sequence, "record seq " + sequence + " does not open: " + e.getMessage(), e);
        }
        if (codec == Compression.Codec.NONE.code()) {
            return new OpenedRecord(r, ByteBuffer.wrap(packed));
        }
        byte[] plain = new byte[r.plainLength()];
        long n = Zstd.decompressByteArray(plain, 0, plain.length, packed, 0, packed.length);
        if (Zstd.isError(n) || n != plain.length) {
            throw new TamperedRecordException(sequence, "record seq " + sequence + ": payload decompresses to "
                    + (Zstd.isError(n) ? Zstd.getErrorName(n) : n + " bytes") + " (expected: " + plain.length + " bytes)");
        }
        return new OpenedRecord(r, ByteBuffer.wrap(plain));
    }

    /**
     * Checks the structure of the record at {@code src}'s position, then opens it: a structure
     * error is reported as tampering too.
     */
    public OpenedRecord open(ByteBuffer src) throws TamperedRecordException {
        SealedRecord r;
        try {
            r = SealedRecord.wrap(src);
        } catch (IllegalArgumentException e) {
            throw new TamperedRecordException(-1, e.getMessage());
        }
        return open(r);
    }
}
