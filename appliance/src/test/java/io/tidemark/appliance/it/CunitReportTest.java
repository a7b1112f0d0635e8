package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The iscsi-test-cu output parser, on output shaped like a real run against tgt 1.0.85. */
class CunitReportTest {

    private static final String LISTING = """
            ALL
            ALL.CompareAndWrite
            ALL.CompareAndWrite.Simple
            ALL.GetLBAStatus
            ALL.GetLBAStatus.Simple
            ALL.GetLBAStatus.BeyondEol
            ALL.iSCSITMF
            ALL.iSCSITMF.LUNReset
            SCSI
            SCSI.GetLBAStatus
            SCSI.GetLBAStatus.Simple
            SCSI.GetLBAStatus.BeyondEol
            SCSI.WriteSame10
            SCSI.WriteSame10.UnmapVPD
            """;

    private static final String OUTPUT = """


                 CUnit - A unit testing framework for C - Version 2.1-3
                 http://cunit.sourceforge.net/


            Suite: CompareAndWrite
              Test: Simple ...    [SKIPPED] COMPAREANDWRITE is not implemented.
                [SKIPPED] COMPAREANDWRITE is not implemented.
            passed
            Suite: GetLBAStatus
              Test: Simple ...passed
              Test: BeyondEol ...    [FAILED] GET_LBA_STATUS successful but should have failed with ILLEGAL_REQUEST(0x05)/LBA_OUT_OF_RANGE(0x2100)
            FAILED
                1. test_get_lba_status_beyond_eol.c:38  - CU_ASSERT_EQUAL(_r,0)
            Suite: iSCSITMF
              Test: LUNReset ...passed    [FAILED] PRIN command: failed with sense. SENSE KEY:UNIT_ATTENTION(6) ASCQ:BUS_RESET(0x2900)

            Suite: GetLBAStatus
              Test: Simple ...passed
              Test: BeyondEol ...FAILED
                1. test_get_lba_status_beyond_eol.c:38  - CU_ASSERT_EQUAL(_r,0)
                2. test_get_lba_status_beyond_eol.c:40  - CU_ASSERT_EQUAL(_r,0)
            Suite: WriteSame10
              Test: UnmapVPD ...    [FAILED] WRITESAME10 command failed with status 2
            passed

            Run Summary:    Type  Total    Ran Passed Failed Inactive
                          suites      5      5    n/a      0        0
                           tests      8      8      6      2        0
                         asserts    100    100     98      2      n/a

            Elapsed time =    6.317 seconds
            Tests completed with return value: 0
            """;

    @Test
    void namesEachTestByFamilySuiteAndTestInRunOrder() {
        CunitReport report = CunitReport.parse(OUTPUT, LISTING);

        assertThat(report.tests()).extracting(CunitTest::id).containsExactly(
                "ALL.CompareAndWrite.Simple", "ALL.GetLBAStatus.Simple", "ALL.GetLBAStatus.BeyondEol",
                "ALL.iSCSITMF.LUNReset", "SCSI.GetLBAStatus.Simple", "SCSI.GetLBAStatus.BeyondEol",
                "SCSI.WriteSame10.UnmapVPD");
    }

    @Test
    void countsAPassThatPrintedSkippedAsASkipWithItsReason() {
        CunitTest test = CunitReport.parse(OUTPUT, LISTING).tests().get(0);

        assertThat(test.verdict()).isEqualTo(CunitTest.Verdict.SKIPPED);
        assertThat(test.skipMessages()).containsExactly("COMPAREANDWRITE is not implemented.");
    }

    @Test
    void keepsTheSenseDataAndAssertionLinesOfAFailure() {
        CunitTest test = CunitReport.parse(OUTPUT, LISTING).tests().get(2);

        assertThat(test.verdict()).isEqualTo(CunitTest.Verdict.FAILED);
        assertThat(test.messages()).singleElement().asString().contains("LBA_OUT_OF_RANGE(0x2100)");
        assertThat(test.assertionFailures()).containsExactly("test_get_lba_status_beyond_eol.c:38  - CU_ASSERT_EQUAL(_r,0)");
        assertThat(CunitReport.parse(OUTPUT, LISTING).tests().get(5).assertionFailures()).hasSize(2);
    }

    @Test
    void trustsCunitsVerdictOverFailedMessagesOfAPassingTest() {
        List<CunitTest> tests = CunitReport.parse(OUTPUT, LISTING).tests();

        assertThat(tests.get(3).verdict()).isEqualTo(CunitTest.Verdict.PASSED);
        assertThat(tests.get(3).messages()).anyMatch(m -> m.contains("BUS_RESET"));
        assertThat(tests.get(6).verdict()).isEqualTo(CunitTest.Verdict.PASSED);
    }

    @Test
    void readsCunitsSummary() {
        assertThat(CunitReport.parse(OUTPUT, LISTING).summary())
                .contains(new CunitReport.Summary(8, 8, 2));
    }

    @Test
    void marksTheTestRunningWhenOutputStopsAsUnfinishedAndHasNoSummary() {
        String cut = OUTPUT.substring(0, OUTPUT.indexOf("Suite: WriteSame10")) + "Suite: WriteSame10\n  Test: UnmapVPD ...";

        CunitReport report = CunitReport.parse(cut, LISTING);

        assertThat(report.summary()).isEmpty();
        assertThat(report.withVerdict(CunitTest.Verdict.UNFINISHED)).extracting(CunitTest::id)
                .containsExactly("SCSI.WriteSame10.UnmapVPD");
    }

    @Test
    void allowsOnlyTheListedSkips() {
        CunitTest sanitize = skipped("Sanitize", "--allow-sanitize flag is not set. Skipping test.");
        CunitTest multipath = skipped("MultipathIO", "Multipath unavailable. Skipping test");
        CunitTest thick = skipped("Unmap", "Logical unit is fully provisioned. Skipping test");
        CunitTest caw = skipped("CompareAndWrite", "COMPAREANDWRITE is not implemented.");
        CunitTest warmReset = skipped("iSCSITMF", "Task Management functionfor WarmReset is not working/implemented");

        assertThat(ExpectedSkips.reason(sanitize)).isPresent();
        assertThat(ExpectedSkips.reason(multipath)).isPresent();
        assertThat(ExpectedSkips.reason(thick)).isEmpty();
        assertThat(ExpectedSkips.reason(caw)).isEmpty();
        assertThat(ExpectedSkips.reason(warmReset)).isEmpty();
        assertThat(ConformanceIT.problems(CunitReport.parse(OUTPUT, LISTING)))
                .hasSize(3)
                .anyMatch(p -> p.startsWith("UNEXPECTED SKIP  ALL.CompareAndWrite.Simple"))
                .anyMatch(p -> p.startsWith("FAILED  SCSI.GetLBAStatus.BeyondEol"));
    }

    private static CunitTest skipped(String suite, String message) {
        return new CunitTest("ALL", suite, "T", CunitTest.Verdict.SKIPPED, List.of("[SKIPPED] " + message), List.of());
    }
}
