package io.tidemark.appliance.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the verbose output of libiscsi's iscsi-test-cu (CUnit "Basic" mode):
 * <pre>
 * Suite: CompareAndWrite
 *   Test: Simple ...    [SKIPPED] COMPAREANDWRITE is not implemented.
 * passed
 *   Test: BeyondEol ...    [FAILED] GET_LBA_STATUS successful but should have failed ...
 * FAILED
 *     1. test_get_lba_status_beyond_eol.c:38  - CU_ASSERT_EQUAL(_r,0)
 * Run Summary:    Type  Total    Ran Passed Failed Inactive
 *                tests    615    615    598     17        0
 * </pre>
 * CUnit has no skip verdict: libiscsi's skips pass with a "[SKIPPED] reason" message, so a
 * pass that printed one counts as a skip. Suite names repeat per family (ALL, SCSI, iSCSI,
 * LINUX); the family comes from matching the suites in order against {@code iscsi-test-cu -l}.
 * Not thread-safe.
 */
final class CunitReport {

    private static final Pattern SUITE = Pattern.compile("^Suite: (\\S+)\\s*$");
    private static final Pattern TEST = Pattern.compile("^  Test: (.+?) \\.\\.\\.(.*)$");
    private static final Pattern VERDICT = Pattern.compile("^(passed|FAILED)(.*)$");
    private static final Pattern ASSERTION = Pattern.compile("^\\s+\\d+\\. (.+)$");
    private static final Pattern SUMMARY_TESTS =
            Pattern.compile("^\\s*tests\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)\\s*$");

    /** CUnit's own count line: tests Total / Ran / Failed. */
    record Summary(int total, int ran, int failed) {}

    private final List<CunitTest> tests;
    private final Summary summary;

    private CunitReport(List<CunitTest> tests, Summary summary) {
        this.tests = List.copyOf(tests);
        this.summary = summary;
    }

    List<CunitTest> tests() {
        return tests;
    }

    /** Empty when the run ended before CUnit printed its summary (crash, hang, kill). */
    Optional<Summary> summary() {
        return Optional.ofNullable(summary);
    }

    List<CunitTest> withVerdict(CunitTest.Verdict verdict) {
        return tests.stream().filter(t -> t.verdict() == verdict).toList();
    }

    /**
     * @param output  the verbose output of a run
     * @param listing the output of {@code iscsi-test-cu -l} (lines FAMILY, FAMILY.Suite, FAMILY.Suite.Test)
     */
    static CunitReport parse(String output, String listing) {
        return new Parser(familySuites(listing)).parse(output);
    }

    /** [family, suite] in listing order. */
    private static List<String[]> familySuites(String listing) {
        List<String[]> order = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] parts = line.trim().split("\\.");
            if (parts.length == 2) {
                order.add(parts);
            }
        }
        return order;
    }

    /** The walk through one output. Not thread-safe. */
    private static final class Parser {
        private final List<String[]> familySuites;
        private final List<CunitTest> tests = new ArrayList<>();
        private int suiteCursor;
        private String family = "?";
        private String suite = "?";
        private String testName;
        private CunitTest.Verdict verdict;
        private List<String> messages = new ArrayList<>();
        private List<String> assertions = new ArrayList<>();
        private Summary summary;

        Parser(List<String[]> familySuites) {
            this.familySuites = familySuites;
        }

        CunitReport parse(String output) {
            boolean inSummary = false;
            for (String line : output.split("\n")) {
                if (line.startsWith("Run Summary:")) {
                    finishTest();
                    inSummary = true;
                } else if (inSummary) {
                    Matcher counts = SUMMARY_TESTS.matcher(line);
                    if (counts.matches()) {
                        summary = new Summary(Integer.parseInt(counts.group(1)), Integer.parseInt(counts.group(2)),
                                Integer.parseInt(counts.group(4)));
                    }
                } else {
                    onLine(line);
                }
            }
            finishTest();
            return new CunitReport(tests, summary);
        }

        private void onLine(String line) {
            Matcher suiteLine = SUITE.matcher(line);
            Matcher testLine = TEST.matcher(line);
            if (suiteLine.matches()) {
                finishTest();
                enterSuite(suiteLine.group(1));
            } else if (testLine.matches()) {
                finishTest();
                testName = testLine.group(1);
                onTestText(testLine.group(2));
            } else if (testName != null) {
                onTestText(line);
            }
        }

        private void onTestText(String text) {
            Matcher verdictLine = VERDICT.matcher(text);
            if (verdict == null && verdictLine.matches()) {
                verdict = verdictLine.group(1).equals("passed") ? CunitTest.Verdict.PASSED : CunitTest.Verdict.FAILED;
                addMessage(verdictLine.group(2));
                return;
            }
            Matcher assertion = ASSERTION.matcher(text);
            if (verdict == CunitTest.Verdict.FAILED && assertion.matches()) {
                assertions.add(assertion.group(1).trim());
            } else {
                addMessage(text);
            }
        }

        private void addMessage(String text) {
            if (!text.isBlank()) {
                messages.add(text.trim());
            }
        }

        private void enterSuite(String name) {
            suite = name;
            for (int i = suiteCursor; i < familySuites.size(); i++) {
                if (familySuites.get(i)[1].equals(name)) {
                    family = familySuites.get(i)[0];
                    suiteCursor = i + 1;
                    return;
                }
            }
            family = "?";
        }

        private void finishTest() {
            if (testName == null) {
                return;
            }
            CunitTest.Verdict finalVerdict = verdict == null ? CunitTest.Verdict.UNFINISHED : verdict;
            boolean skipped = messages.stream().anyMatch(m -> m.contains(CunitTest.SKIP_MARK));
            if (finalVerdict == CunitTest.Verdict.PASSED && skipped) {
                finalVerdict = CunitTest.Verdict.SKIPPED;
            }
            tests.add(new CunitTest(family, suite, testName, finalVerdict, List.copyOf(messages), List.copyOf(assertions)));
            testName = null;
            verdict = null;
            messages = new ArrayList<>();
            assertions = new ArrayList<>();
        }
    }
}
