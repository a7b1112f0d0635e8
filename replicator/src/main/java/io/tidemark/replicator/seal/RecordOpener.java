package io.tidemark.replicator.seal;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Opens sealed records with a group's {@link DataKey}: verifies the AES-256-GCM tag over header
 * and ciphertext, decrypts, decompresses. Not thread-safe: one instance per thread (a JDK
 * {@link Cipher} is not thread-safe).
 *
 * <p>An opener keeps its working state between records: the copy of a direct record, the
 * compressed plaintext, and one zstd decompression context (creating one per record costs more
 * than decompressing a 4 KiB payload). Only the returned payload is allocated per record; no
 * byte of a record whose tag fails is ever returned. The zstd context is freed once the opener
 * is unreachable.
 */
public final class RecordOpener {

    private static final Cleaner CLEANER = Cleaner.create();

    private final SealKeys keys;
    private final Cipher cipher;
    private byte[] scratch = new byte[0];
    /** The decrypted, still compressed payload of a compressed record (reused). */
    private byte[] packedScratch = new byte[0];
    /** Created at the first compressed record; closed by {@link #CLEANER}. */
    private ZstdDecompressCtx zstd;

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
        boolean compressed = codec != Compression.Codec.NONE.code();
        int packedLength = r.sealedLength() - SealedRecordDescriptor.TAG_LENGTH;
        // an uncompressed payload is decrypted straight into the array handed out; a compressed
        // one into this opener's scratch, then decompressed into the array handed out
        byte[] packed;
        if (!compressed) {
            packed = new byte[packedLength];
        } else {
            if (packedScratch.length < packedLength) {
                packedScratch = new byte[Math.max(packedLength, Math.min(2 * packedScratch.length,
                        SealedRecordDescriptor.MAX_SEALED_LENGTH))];
            }
            packed = packedScratch;
        }
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
            if (n != packedLength) {
                throw new TamperedRecordException(sequence, "record seq " + sequence + ": opened " + n
                        + " bytes (expected: " + packedLength + ")");
            }
        } catch (AEADBadTagException e) {
            throw new TamperedRecordException(sequence, "record seq " + sequence + " (epoch " + r.epoch()
                    + "): authentication tag does not match (altered, replayed elsewhere or another key)");
        } catch (GeneralSecurityException e) {
            throw new TamperedRecordException(sequence, "record seq " + sequence + " does not open: " + e.getMessage(), e);
        }
        if (!compressed) {
            return new OpenedRecord(r, ByteBuffer.wrap(packed));
        }
        byte[] plain = new byte[r.plainLength()];
        ZstdDecompressCtx ctx = zstd();
        String error = null;
        long n = -1;
        try {
            n = ctx.decompressByteArray(plain, 0, plain.length, packed, 0, packedLength);
        } catch (ZstdException e) {
            error = e.getMessage(); // the zstd error name
        } finally {
            Reference.reachabilityFence(this);
        }
        if (error != null || n != plain.length) {
            throw new TamperedRecordException(sequence, "record seq " + sequence + ": payload decompresses to "
                    + (error != null ? error : n + " bytes") + " (expected: " + plain.length + " bytes)");
        }
        return new OpenedRecord(r, ByteBuffer.wrap(plain));
    }

    private ZstdDecompressCtx zstd() {
        ZstdDecompressCtx ctx = zstd;
        if (ctx == null) {
            ctx = new ZstdDecompressCtx();
            CLEANER.register(this, ctx::close); // the action holds the context, not this opener
            zstd = ctx;
        }
        return ctx;
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
