package io.tidemark.replicator.pki;

import java.util.Objects;
import java.util.regex.Pattern;

/** Appliance and peer names: what may appear in files, logs and URLs without quoting. */
public final class PeerNames {

    public static final int MAX_LENGTH = 64;
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private PeerNames() {
    }

    /** Throws IllegalArgumentException naming the value and the rule when {@code name} is not valid. */
    public static String check(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > MAX_LENGTH || !SHAPE.matcher(name).matches()) {
            String shown = name.length() > MAX_LENGTH ? name.substring(0, MAX_LENGTH) + "..." : name;
            throw new IllegalArgumentException("appliance/peer name: '" + shown + "' (expected: 1.." + MAX_LENGTH
                    + " letters, digits, '.', '_', '-', starting with a letter or digit)");
        }
        return name;
    }
}
