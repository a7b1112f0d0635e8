package io.tidemark.appliance.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as operators write them: plain bytes or a number with a binary K/M/G/T suffix. */
public final class Sizes {

    public static final String EXPECTED = "bytes or a number with K/M/G/T suffix";

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})([KMGT]?)");
    private static final String SUFFIXES = "KMGT";

    private Sizes() {}

    /** Parses "10G", "512", "4k"; throws IllegalArgumentException naming the value and the accepted forms. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("size: " + text + " (expected: " + EXPECTED + ")");
        }
        int shift = m.group(2).isEmpty() ? 0 : 10 * (SUFFIXES.indexOf(m.group(2)) + 1);
        try {
            long number = Long.parseLong(m.group(1));
            if (number > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return number << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size: " + text + " (expected: " + EXPECTED + ", below 8E)");
        }
    }

    /** The shortest exact form: 1073741824 -> "1G", 1572864 -> "1536K", 1536 -> "1536". */
    public static String format(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        for (int i = SUFFIXES.length() - 1; i >= 0; i--) {
            int shift = 10 * (i + 1);
            if ((bytes & ((1L << shift) - 1)) == 0) {
                return (bytes >> shift) + SUFFIXES.substring(i, i + 1);
            }
        }
        return Long.toString(bytes);
    }
}
