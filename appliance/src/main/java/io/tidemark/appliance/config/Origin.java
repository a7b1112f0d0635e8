package io.tidemark.appliance.config;

/**
 * Where a setting came from, as an operator would look for it: a line of a file, a flag, or
 * the embedded defaults.
 */
public record Origin(String file, int line, String flag) {

    public static Origin fileLine(String file, int line) {
        return new Origin(file, line, null);
    }

    public static Origin flag(String flag) {
        return new Origin(null, 0, flag);
    }

    /** "in /etc/tidemark.conf line 3" or "in flag --iscsi-port". */
    public String describe() {
        return flag != null ? "in flag " + flag : "in " + file + " line " + line;
    }
}
