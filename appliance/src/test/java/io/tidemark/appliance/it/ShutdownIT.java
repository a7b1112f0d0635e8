package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The appliance's life cycle as a process: SIGTERM stops it cleanly and promptly, data survives
 * a stop and a kill -9, identities survive a restart, and a bad config file stops start-up
 * with a message that points at the line.
 */
@ExtendWith(ApplianceLogOnFailure.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShutdownIT {

    /** "a few seconds" for a clean stop, with headroom for a loaded 2-core CI machine. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(10);
    private static final Duration TOOL_DEADLINE = Duration.ofMinutes(2);
    private static final long VOLUME_BYTES = 16L << 20;
    /** What iscsi-inq prints for a page it decoded. */
    private static final java.util.Map<String, String> VPD_MARKERS = java.util.Map.of(
            "0x80", "Unit Serial Number:", "0x83", "DEVICE_IDENTIFICATION");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void sigtermExitsZeroWithinSecondsAndDataWrittenBeforeIsReadAfterRestart() {
        try (ApplianceProcess appliance = ApplianceProcess.start(work.resolve("appliance"))) {
            assertThat(appliance.logText()).as("ready line in the log").contains("Tidemark ready:");
            Volume volume = appliance.api().createVolume("kept", VOLUME_BYTES);
            String url = appliance.lunUrl(volume);
            qemuIo(url, "write -P 0x5a 0 " + VOLUME_BYTES);

            long start = System.nanoTime();
            Optional<Integer> exit = appliance.terminate(STOP_LIMIT);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(exit).as("exit status after SIGTERM (empty: still running after %s s)", STOP_LIMIT.toSeconds())
                    .contains(0);
            System.out.println("SIGTERM to exit: " + took.toMillis() + " ms");
            appliance.restart();
            assertThat(appliance.api().volume("kept").sizeBytes()).isEqualTo(VOLUME_BYTES);
            qemuIo(url, "read -P 0x5a 0 " + VOLUME_BYTES);
        }
    }

    @Test
    void sigtermWithAnInitiatorLoggedInStillExitsZeroWithinSeconds() throws InterruptedException {
        try (ApplianceProcess appliance = ApplianceProcess.start(work.resolve("appliance"))) {
            Volume volume = appliance.api().createVolume("busy", VOLUME_BYTES);
            try (OpenQemuIoSession session = new OpenQemuIoSession(appliance.lunUrl(volume))) {
                session.send("write -P 0x33 0 1M");
                session.awaitOutput("wrote 1048576/1048576 bytes", Duration.ofSeconds(60));

                Optional<Integer> exit = appliance.terminate(STOP_LIMIT);

                assertThat(exit).as("exit status after SIGTERM with a session open (empty: still running)\nqemu-io:\n%s",
                        session.transcript()).contains(0);
            }
            appliance.restart();
            qemuIo(appliance.lunUrl(volume), "read -P 0x33 0 1M");
        }
    }

    @Test
    void flushedWritesSurviveKillDashNineAndTheLunKeepsItsIdentity() {
        try (ApplianceProcess appliance = ApplianceProcess.start(work.resolve("appliance"))) {
            Volume volume = appliance.api().createVolume("crash", VOLUME_BYTES);
            String url = appliance.lunUrl(volume);
            String serialBefore = inquiry(url, "0x80");
            String idsBefore = inquiry(url, "0x83");
            qemuIo(url, "write -P 0x6b 0 " + VOLUME_BYTES, "write -P 0x7c 4096 512", "flush");

            appliance.kill();
            appliance.restart();

            qemuIo(url, "read -P 0x6b 0 4096", "read -P 0x7c 4096 512",
                    "read -P 0x6b 4608 " + (VOLUME_BYTES - 4608));
            assertThat(inquiry(url, "0x80")).as("unit serial number (VPD 0x80) after restart").isEqualTo(serialBefore);
            assertThat(inquiry(url, "0x83")).as("device identification (VPD 0x83) after restart").isEqualTo(idsBefore);
            assertThat(appliance.api().volume("crash").naaId()).as("NAA id in the API after restart")
                    .isEqualTo(volume.naaId());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown key | iscsi.no-such-key | iscsi.no-such-key = 1",
            "bad value   | iscsi.port        | iscsi.port = sixty"})
    void aConfigErrorStopsStartUpNamingTheKeyTheFileAndTheLine(String what, String key, String line) {
        String config = "# two comment lines, so the bad one is line 3\n# (" + what + ")\n" + line + "\n";
        try (ApplianceProcess appliance = ApplianceProcess.prepare(work.resolve("appliance"), config)) {
            appliance.launch();

            Optional<Integer> exit = appliance.awaitExit(Duration.ofSeconds(60));

            assertThat(exit).as("start-up with %s must stop the process; log:\n%s", what, appliance.logTail(40))
                    .isPresent();
            assertThat(exit.orElseThrow()).as("exit status").isNotZero();
            String log = appliance.logText();
            assertThat(log).as("start-up error message").contains(key)
                    .contains(appliance.configFile().orElseThrow().toString())
                    .containsPattern("(?i)(line\\s*3\\b|:3\\b)");
        }
    }

    private void qemuIo(String url, String... commands) {
        QemuIo.assertRuns(work, url, commands);
    }

    private String inquiry(String url, String page) {
        ToolRun run = ExternalTool.ISCSI_INQ.run(work, TOOL_DEADLINE, "-e", "1", "-c", Integer.toString(Integer.decode(page)), url);
        assertThat(run.succeeded()).as(run.describe()).isTrue();
        assertThat(run.stdout()).as("VPD page %s", page).contains(VPD_MARKERS.get(page));
        return run.stdout();
    }
}
