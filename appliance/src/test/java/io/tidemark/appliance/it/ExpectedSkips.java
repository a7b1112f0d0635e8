package io.tidemark.appliance.it;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The conformance tests that may skip, and why: issue 2 expects skips for SANITIZE, for
 * multipath without a second URL, for removable media and for write protection, and allows
 * skips for commands it does not list. Any other skip fails {@link ConformanceIT}.
 * Each entry matches libiscsi's "[SKIPPED] ..." message, optionally only in one suite.
 */
final class ExpectedSkips {

    /** One allowed skip: a message pattern, the suite it applies to (null: any), and the reason. */
    record Entry(Pattern message, Pattern suite, String why) {
        boolean matches(CunitTest test, String skipMessage) {
            return message.matcher(skipMessage).find() && (suite == null || suite.matcher(test.suite()).matches());
        }
    }

    private static Entry entry(String message, String suite, String why) {
        return new Entry(Pattern.compile(message), suite == null ? null : Pattern.compile(suite), why);
    }

    static final List<Entry> ALLOWED = List.of(
            // SANITIZE erases the LUN; the suite only runs it with --allow-sanitize, which we don't pass
            entry("--allow-sanitize flag is not set", "Sanitize", "SANITIZE (issue 2: expected)"),
            // only for a run given one URL: ConformanceIT passes the LUN's URL twice and fails if MultipathIO skips
            entry("Multipath unavailable", null, "multipath without a second URL (issue 2: expected)"),
            // PREVENT ALLOW / eject tests need a removable medium; ours are fixed disks
            entry("Logical unit is not removable|Media is not removable", null,
                    "removable media (issue 2: expected)"),
            // the read-only tests need a write-protected LUN; ours are writable
            entry("Logical unit is not write-protected", null, "write protection (issue 2: expected)"));

    private ExpectedSkips() {
    }

    /** The reason every skip message of this test is allowed, or empty if one of them is not. */
    static Optional<String> reason(CunitTest test) {
        String why = null;
        for (String message : test.skipMessages()) {
            Optional<Entry> entry = ALLOWED.stream().filter(e -> e.matches(test, message)).findFirst();
            if (entry.isEmpty()) {
                return Optional.empty();
            }
            why = entry.get().why();
        }
        return Optional.ofNullable(why);
    }
}
