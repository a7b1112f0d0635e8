package io.tidemark.appliance.volume;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;

/**
 * The 16-byte NAA IEEE Registered Extended designator (SPC-4 7.8.6.6.5) that names a volume in
 * VPD page 0x83, generated once per volume and kept in its metadata.
 *
 * <pre>
 *  bit  127  124 123                 100 99                 64 63                         0
 *      +--------+---------------------+---------------------+-----------------------------+
 *      | NAA=6  | COMPANY ID (24)     | VENDOR SPECIFIC     | VENDOR SPECIFIC IDENTIFIER  |
 *      | (4)    | 0x0A7DE5: Tidemark  | IDENTIFIER (36)     | EXTENSION (64)              |
 *      +--------+---------------------+---------------------+-----------------------------+
 *  byte 0          0..3                  3..7                  8..15
 * </pre>
 *
 * The 100 bits after the company id are random, so ids differ across volumes and appliances.
 */
public final class NaaId {

    public static final int LENGTH = 16;
    public static final int NAA_REGISTERED_EXTENDED = 6;
    /** Not an IEEE-assigned id: an OUI-like prefix (X bit set, as for locally administered ids). */
    public static final int TIDEMARK_COMPANY_ID = 0x0A7DE5;

    private static final int NAA_SHIFT = 4;
    private static final Random RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private NaaId() {}

    public static byte[] generate() {
        return generate(RANDOM);
    }

    static byte[] generate(Random random) {
        byte[] id = new byte[LENGTH];
        random.nextBytes(id);
        id[0] = (byte) (NAA_REGISTERED_EXTENDED << NAA_SHIFT | (TIDEMARK_COMPANY_ID >>> 20));
        id[1] = (byte) (TIDEMARK_COMPANY_ID >>> 12);
        id[2] = (byte) (TIDEMARK_COMPANY_ID >>> 4);
        id[3] = (byte) ((TIDEMARK_COMPANY_ID & 0x0F) << 4 | (id[3] & 0x0F));
        return id;
    }

    public static int naa(byte[] id) {
        return (id[0] & 0xFF) >>> NAA_SHIFT;
    }

    public static int companyId(byte[] id) {
        return (id[0] & 0x0F) << 20 | (id[1] & 0xFF) << 12 | (id[2] & 0xFF) << 4 | (id[3] & 0xFF) >>> 4;
    }

    public static String toHex(byte[] id) {
        return HEX.formatHex(id);
    }

    /** Parses 32 hex digits; throws IllegalArgumentException naming the value otherwise. */
    public static byte[] fromHex(String hex) {
        if (hex == null || hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("naaId: " + hex + " (expected: 32 hex digits)");
        }
        byte[] id = HEX.parseHex(hex);
        if (naa(id) != NAA_REGISTERED_EXTENDED) {
            throw new IllegalArgumentException("naaId: " + hex + " (expected: NAA 6, first digit 6)");
        }
        return id;
    }
}
