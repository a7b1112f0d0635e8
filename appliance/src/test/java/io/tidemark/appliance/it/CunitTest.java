package io.tidemark.appliance.it;

import java.util.List;
import java.util.Optional;

/**
 * One test of libiscsi's conformance suite as iscsi-test-cu reported it.
 *
 * @param family            the suite family (ALL, SCSI, iSCSI, LINUX): the default run runs each family
 * @param suite             the CUnit suite (e.g. CompareAndWrite)
 * @param name              the test (e.g. Miscompare)
 * @param verdict           CUnit's verdict, with passes that printed [SKIPPED] counted as skips
 * @param messages          what the test logged, trimmed (sense data is here)
 * @param assertionFailures CUnit's "file.c:line - CU_ASSERT..." lines for a failure
 */
record CunitTest(String family, String suite, String name, Verdict verdict, List<String> messages,
                 List<String> assertionFailures) {

    enum Verdict { PASSED, SKIPPED, FAILED, UNFINISHED }

    static final String SKIP_MARK = "[SKIPPED]";

    /** FAMILY.Suite.Test, the name iscsi-test-cu -l and -t use. */
    String id() {
        return family + "." + suite + "." + name;
    }

    List<String> skipMessages() {
        return messages.stream().filter(m -> m.contains(SKIP_MARK))
                .map(m -> m.substring(m.indexOf(SKIP_MARK) + SKIP_MARK.length()).trim())
                .distinct()
                .toList();
    }

    Optional<String> firstSkipMessage() {
        return skipMessages().stream().findFirst();
    }

    /** The test's name and everything it said, indented, for a failure listing. */
    String describe() {
        StringBuilder text = new StringBuilder(id()).append(" [").append(verdict).append("]");
        messages.forEach(m -> text.append("\n      ").append(m));
        assertionFailures.forEach(a -> text.append("\n      assert: ").append(a));
        return text.toString();
    }
}
