package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code ./tidemark} launcher as an operator runs it: {@code start} serves,
 * the CLI subcommands manage volumes over the admin API (listings carry each LUN's iSCSI URL),
 * a volume created from the CLI is served at once, and errors exit non-zero with a reason.
 * Uses the build mvn just packaged (TIDEMARK_NO_BUILD=1), never builds itself.
 */
@ExtendWith(ApplianceLogOnFailure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LauncherCliIT {

    private static final Duration DEADLINE = Duration.ofMinutes(1);
    private static final String PREFIX = ApplianceProcess.IQN_PREFIX;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private BuildLayout layout;
    private ApplianceProcess appliance;

    @BeforeAll
    void startThroughTheLauncher() {
        layout = BuildLayout.ofTestClassPath();
        assertThat(layout.packaged()).as("appliance/%s/lib missing: run through `mvn verify` (package first)", layout.build())
                .isTrue();
        appliance = ApplianceProcess.startWithLauncher(work.resolve("appliance"), layout);
    }

    @AfterAll
    void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    @Test
    void volumeCreatedFromTheCliIsListedWithItsUrlAndServedAtOnce() {
        ToolRun created = cli("volume", "create", "cli-disk", "--size", "16M", "--target", "cli", "--lun", "2");
        assertThat(created.succeeded()).as(created.describe()).isTrue();

        ToolRun listed = cli("volume", "list");
        String url = ":" + appliance.iscsiPort() + "/" + PREFIX + ":cli/2";
        assertThat(listed.succeeded()).as(listed.describe()).isTrue();
        assertThat(listed.stdout()).as("volume list").contains("cli-disk")
                .containsPattern("iscsi://\\S+" + java.util.regex.Pattern.quote(url));

        Volume volume = appliance.api().volume("cli-disk");
        assertThat(volume.lun()).isEqualTo(2);
        QemuIo.assertRuns(work, appliance.lunUrl(volume), "write -P 0x21 0 1M", "read -P 0x21 0 1M");
    }

    @Test
    void jsonListingsCarryUrlsTargetsAndLuns() throws IOException {
        assertThat(cli("volume", "create", "json-disk", "--size", "8M").succeeded()).isTrue();

        JsonNode volumes = new ObjectMapper().readTree(cli("--json", "volume", "list").stdout());
        JsonNode targets = new ObjectMapper().readTree(cli("target", "list", "--json").stdout());

        assertThat(volumes.findValuesAsText("url")).as(volumes.toString())
                .anyMatch(u -> u.endsWith(":" + appliance.iscsiPort() + "/" + PREFIX + ":json-disk/0"));
        assertThat(targets.findValuesAsText("iqn")).as(targets.toString()).contains(PREFIX + ":json-disk");
    }

    @Test
    void resizeAndDeleteFromTheCliReachTheInitiator() {
        assertThat(cli("volume", "create", "cli-grow", "--size", "8M").succeeded()).isTrue();
        Volume volume = appliance.api().volume("cli-grow");

        ToolRun resized = cli("volume", "resize", "cli-grow", "--size", "24M");

        assertThat(resized.succeeded()).as(resized.describe()).isTrue();
        ToolRun capacity = ExternalTool.ISCSI_READCAPACITY16.run(work, DEADLINE, appliance.lunUrl(volume));
        assertThat(capacity.stdout()).as(capacity.describe()).contains("Total size:" + (24L << 20));

        ToolRun deleted = cli("volume", "delete", "cli-grow");

        assertThat(deleted.succeeded()).as(deleted.describe()).isTrue();
        assertThat(cli("volume", "list").stdout()).doesNotContain("cli-grow");
    }

    @Test
    void sessionListShowsALoggedInInitiator() throws InterruptedException {
        assertThat(cli("volume", "create", "watched", "--size", "8M").succeeded()).isTrue();
        Volume volume = appliance.api().volume("watched");
        try (OpenQemuIoSession session = new OpenQemuIoSession(appliance.lunUrl(volume))) {
            session.send("read 0 4k");
            session.awaitOutput("read 4096/4096 bytes", Duration.ofSeconds(60));

            ToolRun sessions = cli("session", "list");

            assertThat(sessions.succeeded()).as(sessions.describe()).isTrue();
            assertThat(sessions.stdout()).as("session list").contains(PREFIX + ":watched");
        }
    }

    @Test
    void aFailingCommandExitsNonZeroWithTheReason() {
        ToolRun missing = cli("volume", "delete", "no-such-volume");

        assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(1);
        assertThat(missing.stderr()).contains("no-such-volume");
    }

    @Test
    void anUnreachableAdminEndpointExitsNonZeroNamingIt() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ToolRun run = launcher(List.of("--admin", "127.0.0.1:" + closedPort, "volume", "list"));

        assertThat(run.exitCode()).as(run.describe()).isNotZero();
        assertThat(run.stderr()).as(run.describe()).contains(Integer.toString(closedPort));
    }

    @Test
    void sigtermToTheLauncherStopsTheApplianceWithExitZero() {
        ApplianceProcess second = ApplianceProcess.startWithLauncher(work.resolve("second"), layout);
        try {
            Optional<Integer> exit = second.terminate(Duration.ofSeconds(10));

            assertThat(exit).as("launcher exit status after SIGTERM (the launcher must exec java)").contains(0);
        } finally {
            second.close();
        }
    }

    private ToolRun cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--admin", ApplianceProcess.HOST + ":" + appliance.adminPort()));
        return launcher(all);
    }

    private ToolRun launcher(List<String> args) {
        return ExternalTool.at(layout.launcher()).run(work, DEADLINE, ApplianceProcess.launcherEnvironment(layout), args);
    }
}
