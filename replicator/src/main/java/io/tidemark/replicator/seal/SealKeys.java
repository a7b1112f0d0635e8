package io.tidemark.replicator.seal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256-GCM keys of one group, one per (codec, level): HMAC-SHA256(data key, label ||
 * codec || level). A record's nonce is fixed by (epoch, sequence); deriving the key from the
 * compression settings too means a record re-sealed after a settings change (different
 * plaintext bytes) never reuses a (key, nonce) pair. Not thread-safe (caches lazily).
 */
final class SealKeys {

    private static final byte[] LABEL = "tidemark sealed record key v1".getBytes(StandardCharsets.US_ASCII);

    private final byte[] dataKey;
    private final SecretKeySpec[] cache = new SecretKeySpec[2 * 256];

    SealKeys(DataKey key) {
        this.dataKey = key.raw();
    }

    /** The GCM key for records with this codec code (0..1) and level byte. */
    SecretKeySpec forCodec(int codec, int level) {
        int slot = (codec & 1) * 256 + (level & 0xff);
        SecretKeySpec k = cache[slot];
        if (k == null) {
            k = derive(codec, level);
            cache[slot] = k;
        }
        return k;
    }

    private SecretKeySpec derive(int codec, int level) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(dataKey, "HmacSHA256"));
            mac.update(LABEL);
            mac.update((byte) codec);
            mac.update((byte) level);
            return new SecretKeySpec(mac.doFinal(), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}
