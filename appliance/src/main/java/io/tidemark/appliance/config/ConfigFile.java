package io.tidemark.appliance.config;

import java.util.ArrayList;
import java.util.List;

/** Splits {@code key = value} text into entries; blank lines and {@code #} comment lines are skipped. */
public final class ConfigFile {

    private ConfigFile() {}

    /** @param fileName how the source is named in messages */
    public static List<Entry> parse(String text, String fileName) {
        List<Entry> entries = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            Origin origin = Origin.fileLine(fileName, i + 1);
            if (eq <= 0) {
                throw new ConfigException("\"" + line + "\" " + origin.describe() + " (expected: key = value)");
            }
            entries.add(new Entry(line.substring(0, eq).strip(), line.substring(eq + 1).strip(), origin));
        }
        return entries;
    }

    public record Entry(String key, String value, Origin origin) {}
}
