package io.tidemark.replicator.seal;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The 32-byte AES-256 key of one replicated group: the primary seals every record with it, the
 * DR site opens (verifies) them with it. Immutable and thread-safe; {@link #toString()} never
 * shows the key.
 */
public final class DataKey {

    /** Key length in bytes (AES-256). */
    public static final int LENGTH = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    private DataKey(byte[] key) {
        this.key = key;
    }

    /** A fresh random key. */
    public static DataKey generate() {
        byte[] key = new byte[LENGTH];
        RANDOM.nextBytes(key);
        return new DataKey(key);
    }

    /** The key held in {@code key} (copied). */
    public static DataKey of(byte[] key) {
        if (key == null || key.length != LENGTH) {
            throw new IllegalArgumentException("data key length: " + (key == null ? "null" : key.length)
                    + " bytes (expected: " + LENGTH + ")");
        }
        return new DataKey(key.clone());
    }

    /** A copy of the key bytes (store it with owner-only permissions). */
    public byte[] bytes() {
        return key.clone();
    }

    /** The key itself, for this package's ciphers only. */
    byte[] raw() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataKey other && java.security.MessageDigest.isEqual(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "DataKey[" + LENGTH * 8 + " bits]";
    }
}
