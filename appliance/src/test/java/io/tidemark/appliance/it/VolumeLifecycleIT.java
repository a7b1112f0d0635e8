package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Volume administration through the REST API as an initiator sees it, with no restart: a grown
 * volume reports its new capacity and keeps its data, a deleted one is no longer served, and bad
 * requests get a 4xx with a reason while the appliance keeps serving.
 */
@ExtendWith(ApplianceLogOnFailure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class VolumeLifecycleIT {

    private static final long MIB = 1L << 20;
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private ApplianceProcess appliance;

    @BeforeAll
    void startAppliance() {
        appliance = ApplianceProcess.start(work.resolve("appliance"));
    }

    @AfterAll
    void stopAppliance() {
        if (appliance != null) {
            appliance.close();
        }
    }

    @Test
    void growingAVolumeShowsTheNewCapacityToInitiatorsAndKeepsItsData() {
        Volume volume = appliance.api().createVolume("grows", 16 * MIB);
        String url = appliance.lunUrl(volume);
        qemuIo(url, "write -P 0x42 0 " + 16 * MIB);

        ApplianceApi.Reply grown = appliance.api().patch("/api/v1/volumes/grows", Map.of("size", 48 * MIB));

        assertThat(grown.status()).as(grown.body()).isEqualTo(200);
        assertThat(grown.json().path("sizeBytes").asLong()).isEqualTo(48 * MIB);
        assertThat(capacity(url)).contains("Total size:" + 48 * MIB);
        qemuIo(url, "read -P 0x42 0 " + 16 * MIB, "read -P 0 " + 16 * MIB + " " + 32 * MIB,
                "write -P 0x43 " + (48 * MIB - 4096) + " 4096", "read -P 0x43 " + (48 * MIB - 4096) + " 4096");
    }

    @Test
    void shrinkingAVolumeIsRefusedWithAReasonAndChangesNothing() {
        Volume volume = appliance.api().createVolume("no-shrink", 32 * MIB);

        ApplianceApi.Reply reply = appliance.api().patch("/api/v1/volumes/no-shrink", Map.of("size", 16 * MIB));

        assertThat(reply.status()).as(reply.body()).isBetween(400, 499);
        assertThat(reply.json().path("error").asText()).as(reply.body()).isNotBlank();
        assertThat(capacity(appliance.lunUrl(volume))).contains("Total size:" + 32 * MIB);
    }

    @Test
    void aDeletedVolumeIsNoLongerServedOrListed() {
        Volume volume = appliance.api().createVolume("goes-away", 16 * MIB);
        String url = appliance.lunUrl(volume);
        assertThat(capacity(url)).contains("Total size:" + 16 * MIB);

        ApplianceApi.Reply deleted = appliance.api().delete("/api/v1/volumes/goes-away");

        assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
        assertThat(appliance.api().get("/api/v1/volumes/goes-away").status()).isEqualTo(404);
        assertThat(appliance.api().volumes()).extracting(Volume::name).doesNotContain("goes-away");
        ToolRun inquiry = ExternalTool.ISCSI_INQ.run(work, DEADLINE, url);
        assertThat(inquiry.succeeded()).as("inquiry of a deleted LUN must fail:\n%s", inquiry.describe()).isFalse();
        ToolRun ls = ExternalTool.ISCSI_LS.run(work, DEADLINE, "-s", appliance.portalUrl());
        assertThat(Discovery.parse(ls.stdout()).luns(volume.targetIqn(ApplianceProcess.IQN_PREFIX)))
                .as(ls.describe()).doesNotContainKey(volume.lun());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "upper-case name   | {\"name\":\"Bad\",\"size\":1048576}",
            "name too long     | {\"name\":\"a234567890123456789012345678901234567890123456789012345678901234\",\"size\":1048576}",
            "negative size     | {\"name\":\"neg\",\"size\":-1}",
            "size not a size   | {\"name\":\"junk\",\"size\":\"lots\"}",
            "no name           | {\"size\":1048576}",
            "not JSON          | {name: oops"})
    void aBadCreateRequestGetsA4xxWithAReasonAndTheApplianceKeepsServing(String why, String body) {
        ApplianceApi.Reply reply = appliance.api().postRaw("/api/v1/volumes", body);

        assertThat(reply.status()).as("%s: %s", why, reply.body()).isBetween(400, 499);
        assertThat(reply.json().path("error").asText()).as("error reason for %s", why).isNotBlank();
        assertThat(appliance.api().get("/api/v1/health").status()).isEqualTo(200);
    }

    @Test
    void aDuplicateNameIsRefusedWithA4xx() {
        appliance.api().createVolume("twice", 16 * MIB);

        ApplianceApi.Reply again = appliance.api().post("/api/v1/volumes", Map.of("name", "twice", "size", 16 * MIB));

        assertThat(again.status()).as(again.body()).isBetween(400, 499);
        assertThat(again.json().path("error").asText()).isNotBlank();
    }

    @Test
    void metricsCountVolumesAndTheLoggedInSession() throws InterruptedException {
        Volume volume = appliance.api().createVolume("metered", 16 * MIB);
        try (OpenQemuIoSession session = new OpenQemuIoSession(appliance.lunUrl(volume))) {
            session.send("read 0 4k");
            session.awaitOutput("read 4096/4096 bytes", Duration.ofSeconds(60));

            ApplianceApi.Reply metrics = appliance.api().get("/metrics");

            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("# TYPE ");
            assertThat(sample(metrics.body(), "tidemark_iscsi_sessions")).as(metrics.body()).isGreaterThanOrEqualTo(1);
            assertThat(sample(metrics.body(), "tidemark_volumes"))
                    .isEqualTo(appliance.api().volumes().size());
        }
    }

    /** The value of an unlabelled Prometheus sample ("name value"); fails when absent. */
    private static double sample(String exposition, String name) {
        return exposition.lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name + " in /metrics"));
    }

    private String capacity(String url) {
        ToolRun run = ExternalTool.ISCSI_READCAPACITY16.run(work, DEADLINE, url);
        assertThat(run.succeeded()).as(run.describe()).isTrue();
        return run.stdout();
    }

    private void qemuIo(String url, String... commands) {
        QemuIo.assertRuns(work, url, commands);
    }
}
