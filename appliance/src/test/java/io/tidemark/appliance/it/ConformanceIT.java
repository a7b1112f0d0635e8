package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * libiscsi's conformance suite, whole ({@code iscsi-test-cu -d}: destructive write tests
 * included), against a file-backed LUN of a real appliance: no failed test, and no skip outside
 * {@link ExpectedSkips}. Every failure and unexpected skip is listed by name with what it printed
 * (sense data included). Header digests are QemuIT's: iscsi-test-cu always offers
 * "None,CRC32C" (its ?header_digest=crc32c URL argument doesn't change that in libiscsi 1.19), and
 * RFC 7143 makes the target pick the first value it supports, None.
 * <p>
 * The LUN's URL is passed twice: iscsi-test-cu then opens a second session to the same LUN (its
 * "multipath" device), so the MultipathIO family runs instead of skipping. Two sessions over one
 * portal are two I_T nexuses, which is what those tests exercise (reservations, CAW, UAs across paths).
 * <p>
 * {@code -Dtidemark.it.conformance.url=iscsi://host:port/iqn/lun} runs the same checks against
 * another target instead (e.g. tgt), to check the harness itself.
 */
@ExtendWith(ApplianceLogOnFailure.class)
class ConformanceIT {

    private static final long LUN_BYTES = 1L << 30;
    private static final Duration SUITE_DEADLINE = Duration.ofMinutes(25);
    private static final String INITIATOR_1 = "iqn.2026-11.io.tidemark.test:conformance-1";
    private static final String INITIATOR_2 = "iqn.2026-11.io.tidemark.test:conformance-2";
    private static final Optional<String> EXTERNAL_URL =
            Optional.ofNullable(System.getProperty("tidemark.it.conformance.url"));

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void libiscsiConformanceSuitePassesWithOnlyExpectedSkips() throws IOException {
        try (ApplianceProcess appliance = startUnlessExternal("whole-suite")) {
            String url = lunUrl(appliance);

            SuiteRun suite = runSuite("whole-suite", url);

            assertClean(appliance, suite);
        }
    }

    /** One iscsi-test-cu run and what it reported. */
    private record SuiteRun(ToolRun run, CunitReport report, Path output) {}

    private ApplianceProcess startUnlessExternal(String name) {
        return EXTERNAL_URL.isPresent() ? null : ApplianceProcess.start(work.resolve(name));
    }

    private static String lunUrl(ApplianceProcess appliance) {
        return EXTERNAL_URL.orElseGet(() -> appliance.lunUrl(appliance.api().createVolume("conformance", LUN_BYTES)));
    }

    /** Runs the whole of iscsi-test-cu (destructive tests on) and parses its output. */
    private SuiteRun runSuite(String name, String url) throws IOException {
        Path runDir = work.resolve(name + "-iscsi-test-cu");
        ToolRun listing = ExternalTool.ISCSI_TEST_CU.run(runDir, Duration.ofSeconds(30), "-l");
        assertThat(listing.succeeded()).as(listing.describe()).isTrue();
        // the URL twice: the second is the MultipathIO family's other path to the same LUN
        ToolRun run = ExternalTool.ISCSI_TEST_CU.run(runDir, SUITE_DEADLINE, Map.of(), List.of(
                "--dataloss", "--verbose", "-i", INITIATOR_1, "-I", INITIATOR_2, url, url));

        Path output = work.resolve(name + "-iscsi-test-cu.out");
        Files.writeString(output, run.output());
        CunitReport report = CunitReport.parse(run.stdout(), listing.stdout());
        System.out.println(summarize(url, run, report));
        return new SuiteRun(run, report, output);
    }

    private static void assertClean(ApplianceProcess appliance, SuiteRun suite) {
        if (appliance != null) {
            assertThat(appliance.isAlive()).as("appliance still running after the suite (log tail printed below)")
                    .isTrue();
        }
        assertSuiteRanToTheEnd(suite.run(), suite.report());
        assertMultipathRan(suite.report());
        assertThat(problems(suite.report())).as("conformance problems (full output: %s)", suite.output()).isEmpty();
    }

    private static void assertSuiteRanToTheEnd(ToolRun run, CunitReport report) {
        String unfinished = report.withVerdict(CunitTest.Verdict.UNFINISHED).stream()
                .map(CunitTest::id).collect(Collectors.joining(", "));
        assertThat(run.timedOut())
                .as("iscsi-test-cu still running after %s s (hung in: %s)\n%s", SUITE_DEADLINE.toSeconds(), unfinished,
                        run.describe())
                .isFalse();
        assertThat(report.summary())
                .as("iscsi-test-cu ended without its CUnit summary (last test: %s)\n%s", unfinished, run.describe())
                .isPresent();
        CunitReport.Summary summary = report.summary().orElseThrow();
        assertThat(summary.ran()).as("tests run vs registered").isEqualTo(summary.total());
        assertThat(report.tests()).as("tests parsed vs CUnit's count: the output parser is out of step")
                .hasSize(summary.ran());
        assertThat(report.withVerdict(CunitTest.Verdict.FAILED)).as("failures parsed vs CUnit's count")
                .hasSize(summary.failed());
    }

    /** With the URL given twice, the MultipathIO family must run: ExpectedSkips' multipath entry must not match. */
    private static void assertMultipathRan(CunitReport report) {
        List<CunitTest> multipath = report.tests().stream().filter(t -> t.suite().equals("MultipathIO")).toList();
        assertThat(multipath).as("MultipathIO tests in the run").isNotEmpty();
        assertThat(multipath.stream().filter(t -> t.verdict() == CunitTest.Verdict.SKIPPED).map(CunitTest::describe))
                .as("MultipathIO tests skipped although the LUN's URL was given twice").isEmpty();
    }

    /** One line per failed test or unexpected skip, with what the test printed. */
    static List<String> problems(CunitReport report) {
        List<String> problems = new ArrayList<>();
        for (CunitTest test : report.tests()) {
            switch (test.verdict()) {
                case FAILED, UNFINISHED -> problems.add("FAILED  " + test.describe());
                case SKIPPED -> {
                    if (ExpectedSkips.reason(test).isEmpty()) {
                        problems.add("UNEXPECTED SKIP  " + test.describe());
                    }
                }
                case PASSED -> { }
            }
        }
        return problems;
    }

    private static String summarize(String url, ToolRun run, CunitReport report) {
        Map<String, Long> skipsByReason = new TreeMap<>(report.withVerdict(CunitTest.Verdict.SKIPPED).stream()
                .collect(Collectors.groupingBy(t -> ExpectedSkips.reason(t)
                                .orElse("UNEXPECTED: " + t.firstSkipMessage().orElse("?")),
                        Collectors.counting())));
        StringBuilder text = new StringBuilder("iscsi-test-cu against ").append(url)
                .append(": ").append(run.elapsed().toSeconds()).append(" s, ")
                .append(report.tests().size()).append(" tests: ")
                .append(report.withVerdict(CunitTest.Verdict.PASSED).size()).append(" passed, ")
                .append(report.withVerdict(CunitTest.Verdict.FAILED).size()).append(" failed, ")
                .append(report.withVerdict(CunitTest.Verdict.SKIPPED).size()).append(" skipped");
        skipsByReason.forEach((why, n) -> text.append("\n  skipped ").append(n).append(": ").append(why));
        return text.toString();
    }
}
