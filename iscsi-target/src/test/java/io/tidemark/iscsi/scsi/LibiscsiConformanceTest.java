package io.tidemark.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tidemark.iscsi.IscsiServer;
import io.tidemark.iscsi.IscsiSettings;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.spi.LunDescriptor;
import io.tidemark.iscsi.spi.MemoryLogicalUnit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * libiscsi's iscsi-test-cu against an in-process portal over a thin in-memory LUN, with a
 * second session as the multipath URL. Opt-in (about a minute):
 * {@code mvn test -Dtest=LibiscsiConformanceTest -Dtidemark.libiscsi=true}.
 */
@EnabledIfSystemProperty(named = "tidemark.libiscsi", matches = "true")
class LibiscsiConformanceTest {

    private static final Path TEST_TOOL = Path.of("/usr/bin/iscsi-test-cu");
    private static final String IQN = "iqn.2026-11.io.tidemark:conformance";
    private static final Pattern FAILED = Pattern.compile("Suite ([^,]+), Test (\\S+) had failures");
    /** Skips that are expected: no sanitize, no removable medium, no write protection. */
    private static final Pattern EXPECTED_SKIP = Pattern.compile(
            "allow-sanitize|not removable|Media is not removable|not write-protected");

    @Test
    void shouldPassTheWholeSuiteWithoutUnexpectedSkips() throws Exception {
        assumeTrue(Files.isExecutable(TEST_TOOL), "iscsi-test-cu (libiscsi-bin) is not installed");
        TargetRegistry registry = new TargetRegistry();
        TargetNode node = registry.add(new TargetNode(IQN, "conformance", null, Set.of()));
        node.addLun(new LunDescriptor(0, "conformance", ScsiFixture.naa(1), true, new MemoryLogicalUnit(64 * 2048)));
        try (IscsiServer server = new IscsiServer(registry, new IscsiSettings("127.0.0.1", 0, 1, null))) {
            server.start();
            String url = "iscsi://127.0.0.1:" + server.localAddress().getPort() + "/" + IQN + "/0";
            List<String> output = run(List.of(TEST_TOOL.toString(), "-d", "-n", url, url));
            Set<String> failed = new TreeSet<>();
            List<String> skips = new ArrayList<>();
            for (String line : output) {
                Matcher m = FAILED.matcher(line);
                while (m.find()) {
                    failed.add(m.group(1) + "." + m.group(2));
                }
                if (line.contains("[SKIPPED]") && !EXPECTED_SKIP.matcher(line).find()) {
                    skips.add(line.trim());
                }
            }
            assertThat(failed).as("failed tests").isEmpty();
            assertThat(skips).as("unexpected skips").isEmpty();
            assertThat(String.join("\n", output)).contains("Run Summary");
        }
    }

    private static List<String> run(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("iscsi-test-cu", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("iscsi-test-cu did not finish in 15 minutes");
            }
            return Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
