package io.tidemark.appliance.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them: a number with a unit (ms, s, m, h, d), or a bare 0. */
public final class Durations {

    public static final String EXPECTED = "0 or a number with unit ms, s, m, h or d, e.g. 500ms, 5s, 1h";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    /** Largest unit first, so {@link #format} picks the shortest exact form. */
    private static final Map<String, Duration> UNITS = new LinkedHashMap<>();

    static {
        UNITS.put("d", Duration.ofDays(1));
        UNITS.put("h", Duration.ofHours(1));
        UNITS.put("m", Duration.ofMinutes(1));
        UNITS.put("s", Duration.ofSeconds(1));
        UNITS.put("ms", Duration.ofMillis(1));
    }

    private Durations() {}

    /** Parses "0", "500ms", "5s", "1h", "7d"; throws IllegalArgumentException naming the value and the accepted forms. */
    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("duration: " + text + " (expected: " + EXPECTED + ")");
        }
        return UNITS.get(m.group(2)).multipliedBy(Long.parseLong(m.group(1)));
    }

    /** The shortest exact form: 3600s -> "1h", 90s -> "90s", 1500ms -> "1500ms". */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        for (Map.Entry<String, Duration> unit : UNITS.entrySet()) {
            long millis = unit.getValue().toMillis();
            if (d.toMillis() % millis == 0 && d.toNanos() % 1_000_000 == 0) {
                return d.toMillis() / millis + unit.getKey();
            }
        }
        return d.toMillis() + "ms";
    }
}
