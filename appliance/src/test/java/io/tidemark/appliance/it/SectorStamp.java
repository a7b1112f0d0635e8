package io.tidemark.appliance.it;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The content the crash test writes into one 512-byte sector: which write put it there and
 * where it belongs, so a sector read back after a crash names its version unambiguously (a
 * one-byte {@code write -P} pattern repeats every 255 writes) and a sector that landed at the
 * wrong LBA, or mixes two writes, matches no version at all.
 *
 * <pre>
 *   0         8         16        24        32                                   512
 *   +---------+---------+---------+---------+------------------------------------+
 *   | magic   | run     | write   | LBA     | filler: pseudo-random bytes seeded  |
 *   | TMCRASH1| seed    | id      |         | by (run seed, write id, LBA)        |
 *   +---------+---------+---------+---------+------------------------------------+
 *   all fields little-endian; an all-zero sector is version 0 (never written)
 * </pre>
 *
 * Stateless; thread-safe.
 */
final class SectorStamp {

    static final int SECTOR = 512;
    static final long NEVER_WRITTEN = 0;
    /** What {@link #versionAt} answers for a sector that is no stamp of this run at this LBA. */
    static final long FOREIGN = -1;

    static final int MAGIC_OFFSET = 0;
    static final int SEED_OFFSET = 8;
    static final int WRITE_ID_OFFSET = 16;
    static final int LBA_OFFSET = 24;
    static final int FILLER_OFFSET = 32;

    /** "TMCRASH1" in ASCII, read little-endian. */
    static final long MAGIC = 0x314853415243_4d54L;

    private SectorStamp() {
    }

    /** Fills {@code sectors} stamps of write {@code writeId}, starting at {@code firstLba}, into {@code dst} from index 0. */
    static void fill(byte[] dst, long seed, long writeId, long firstLba, int sectors) {
        if (writeId <= NEVER_WRITTEN) {
            throw new IllegalArgumentException("write id: " + writeId + " (expected: >= 1)");
        }
        if (dst.length < sectors * SECTOR) {
            throw new IllegalArgumentException("buffer of " + dst.length + " bytes for " + sectors
                    + " sectors (expected: >= " + sectors * SECTOR + ")");
        }
        ByteBuffer out = ByteBuffer.wrap(dst).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < sectors; i++) {
            stamp(out, i * SECTOR, seed, writeId, firstLba + i);
        }
    }

    /**
     * The version (write id) the sector at {@code lba} of {@code image} holds: {@link #NEVER_WRITTEN}
     * for zeros, else the write id when the whole sector is exactly that write's stamp for
     * this LBA and run, else {@link #FOREIGN}.
     */
    static long versionAt(byte[] image, long lba, long seed) {
        int at = Math.toIntExact(lba * SECTOR);
        ByteBuffer in = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getLong(at + MAGIC_OFFSET) != MAGIC || in.getLong(at + SEED_OFFSET) != seed
                || in.getLong(at + LBA_OFFSET) != lba) {
            return isZero(image, at) ? NEVER_WRITTEN : FOREIGN;
        }
        long writeId = in.getLong(at + WRITE_ID_OFFSET);
        if (writeId <= NEVER_WRITTEN) {
            return FOREIGN;
        }
        byte[] expected = new byte[SECTOR];
        stamp(ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN), 0, seed, writeId, lba);
        return java.util.Arrays.equals(image, at, at + SECTOR, expected, 0, SECTOR) ? writeId : FOREIGN;
    }

    /** The sector's first 48 bytes in hex, for failure messages. */
    static String head(byte[] image, long lba) {
        int at = Math.toIntExact(lba * SECTOR);
        return HexFormat.of().formatHex(image, at, at + 48);
    }

    private static void stamp(ByteBuffer out, int at, long seed, long writeId, long lba) {
        out.putLong(at + MAGIC_OFFSET, MAGIC);
        out.putLong(at + SEED_OFFSET, seed);
        out.putLong(at + WRITE_ID_OFFSET, writeId);
        out.putLong(at + LBA_OFFSET, lba);
        SplittableRandom filler = new SplittableRandom(seed ^ (writeId * 0x9E3779B97F4A7C15L) ^ (lba << 17));
        for (int i = FILLER_OFFSET; i < SECTOR; i += Long.BYTES) {
            out.putLong(at + i, filler.nextLong());
        }
    }

    private static boolean isZero(byte[] image, int at) {
        for (int i = at; i < at + SECTOR; i++) {
            if (image[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
