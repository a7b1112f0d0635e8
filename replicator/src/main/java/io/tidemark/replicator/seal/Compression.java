package io.tidemark.replicator.seal;

import java.util.Locale;
import java.util.Objects;

/**
 * How a {@link RecordSealer} compresses payloads: not at all, or with zstd at a level. A payload
 * is stored compressed only when that saves at least {@link #MIN_SAVING_DIVISOR 1/8} of it.
 *
 * @param codec the codec ({@link Codec#NONE} never compresses)
 * @param level the zstd level (1 = fastest usual level; negative = faster still), 0 for NONE
 */
public record Compression(Codec codec, int level) {

    /** Fast zstd level: cheap enough to run at line rate on one core. */
    public static final int DEFAULT_ZSTD_LEVEL = 1;
    /** Compression pays when it saves at least payload / this many bytes. */
    public static final int MIN_SAVING_DIVISOR = 8;
    /** Payloads shorter than this are never compressed (the header dominates). */
    public static final int MIN_COMPRESSIBLE_LENGTH = 256;

    public static final Compression NONE = new Compression(Codec.NONE, 0);
    public static final Compression ZSTD = new Compression(Codec.ZSTD, DEFAULT_ZSTD_LEVEL);

    public Compression {
        Objects.requireNonNull(codec, "codec");
        if (codec == Codec.NONE && level != 0) {
            throw new IllegalArgumentException("compression level for none: " + level + " (expected: 0)");
        }
        if (codec == Codec.ZSTD && (level < -7 || level > 19 || level == 0)) {
            throw new IllegalArgumentException("zstd level: " + level + " (expected: -7..-1 or 1..19)");
        }
    }

    /** zstd at {@code level}. */
    public static Compression zstd(int level) {
        return new Compression(Codec.ZSTD, level);
    }

    /** Parses {@code none}, {@code zstd} or {@code zstd:LEVEL} (the replication.compression config value). */
    public static Compression parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("none")) {
            return NONE;
        }
        if (v.equals("zstd")) {
            return ZSTD;
        }
        if (v.startsWith("zstd:")) {
            try {
                return zstd(Integer.parseInt(v.substring(5)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("compression: " + value + " (expected: none, zstd or zstd:LEVEL)");
            }
        }
        throw new IllegalArgumentException("compression: " + value + " (expected: none, zstd or zstd:LEVEL)");
    }

    @Override
    public String toString() {
        return codec == Codec.NONE ? "none" : "zstd:" + level;
    }

    /** A payload codec with its code in the sealed record header. */
    public enum Codec {
        NONE(0),
        ZSTD(1);

        private final int code;

        Codec(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The codec with this header code, or null when unknown. */
        public static Codec ofCode(int code) {
            for (Codec c : values()) {
                if (c.code == code) {
                    return c;
                }
            }
            return null;
        }
    }
}
