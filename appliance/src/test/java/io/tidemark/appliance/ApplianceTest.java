package io.tidemark.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.config.ConfigLoader;
import io.tidemark.appliance.config.ConfigLoader.FlagValue;
import io.tidemark.appliance.volume.JournaledStorage;
import io.tidemark.appliance.volume.Volume;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The wiring: volumes, portal and API of one in-process appliance on free ports. */
@Timeout(120)
class ApplianceTest {

    @TempDir
    Path dir;

    private ApplianceConfig config(String extra) {
        return config(extra, "4M");
    }

    private ApplianceConfig config(String extra, String demoSize) {
        return ConfigLoader.load("iscsi.address = 127.0.0.1\niscsi.port = 0\nadmin.port = 0\nreplication.address = 127.0.0.1\nreplication.port = 0\n" + extra, "test.conf",
                List.of(new FlagValue("data.dir", dir.toString(), "--data"),
                        new FlagValue("demo.volume.size", demoSize, "--demo-size")));
    }

    private static int get(Appliance a, String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.adminAddress().getPort() + path)).build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void shouldServeTheDemoVolumeOnAnEmptyDataDirAndKeepItsIdentityAcrossRestarts() throws Exception {
        Volume demo;
        try (Appliance a = Appliance.start(config(""), registry -> new JournaledStorage(false, config("").journal(), registry))) {
            assertThat(get(a, "/api/v1/health")).isEqualTo(200);
            assertThat(a.iscsiAddress().getPort()).isPositive();
            assertThat(a.portal().port()).isEqualTo(a.iscsiAddress().getPort());
            demo = a.catalog().get("demo");
            assertThat(demo.sizeBytes()).isEqualTo(4L << 20);
            assertThat(dir.resolve("volumes/demo.img")).exists();
        }
        try (Appliance a = Appliance.start(config("demo.volume = other\n"), registry -> new JournaledStorage(false, config("").journal(), registry))) {
            assertThat(a.catalog().list()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("journal")
                    .containsExactly(demo);
        }
    }

    @Test
    void shouldCreateNoDemoVolumeWhenItsSizeIsZero() throws Exception {
        try (Appliance a = Appliance.start(config("", "0"), registry -> new JournaledStorage(false, config("").journal(), registry))) {
            assertThat(a.catalog().list()).isEmpty();
        }
    }

    @Test
    void shouldRefuseASecondApplianceOnTheSameDataDir() throws Exception {
        try (Appliance a = Appliance.start(config(""), registry -> new JournaledStorage(false, config("").journal(), registry))) {
            assertThatThrownBy(() -> Appliance.start(config(""), registry -> new JournaledStorage(false, config("").journal(), registry)))
                    .isInstanceOf(StartupException.class)
                    .hasMessage("data dir " + dir + " is in use by another Tidemark process (lock " + dir.resolve("tidemark.lock") + ")");
            assertThat(get(a, "/api/v1/health")).isEqualTo(200);
        }
    }

    @Test
    void shouldNameTheAdminPortWhenItIsTaken() throws Exception {
        try (Appliance a = Appliance.start(config(""), registry -> new JournaledStorage(false, config("").journal(), registry))) {
            int taken = a.adminAddress().getPort();
            Path other = Files.createDirectory(dir.resolve("other"));
            ApplianceConfig clash = ConfigLoader.load("iscsi.address = 127.0.0.1\niscsi.port = 0\ndemo.volume.size = 0\nreplication.port = 0\n",
                    "test.conf", List.of(new FlagValue("data.dir", other.toString(), "--data"),
                            new FlagValue("admin.port", Integer.toString(taken), "--admin-port")));
            assertThatThrownBy(() -> Appliance.start(clash, registry -> new JournaledStorage(false, config("").journal(), registry)))
                    .isInstanceOf(StartupException.class)
                    .hasMessageStartingWith("admin API 127.0.0.1:" + taken + ": ")
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void shouldNameTheIscsiPortWhenItIsTaken() throws Exception {
        try (Appliance a = Appliance.start(config(""), registry -> new JournaledStorage(false, config("").journal(), registry))) {
            int taken = a.iscsiAddress().getPort();
            Path other = Files.createDirectory(dir.resolve("other"));
            ApplianceConfig clash = ConfigLoader.load("iscsi.address = 127.0.0.1\nadmin.port = 0\ndemo.volume.size = 0\nreplication.port = 0\n",
                    "test.conf", List.of(new FlagValue("data.dir", other.toString(), "--data"),
                            new FlagValue("iscsi.port", Integer.toString(taken), "--iscsi-port")));
            assertThatThrownBy(() -> Appliance.start(clash, registry -> new JournaledStorage(false, config("").journal(), registry)))
                    .isInstanceOf(StartupException.class)
                    .hasMessageStartingWith("iSCSI portal 127.0.0.1:" + taken + ": ")
                    .hasMessageContaining("Address already in use");
        }
    }

    @Test
    void shouldServeEveryVolumeJournaledWithItsMetersOnMetricsFromTheFirstScrape() throws Exception {
        try (Appliance a = Appliance.start(config("journal.ring-size = 64\n"))) {
            Volume demo = a.catalog().get("demo");
            assertThat(demo.journal().directory()).isEqualTo(dir.resolve("volumes/demo.journal").toAbsolutePath().toString());
            assertThat(dir.resolve("volumes/demo.journal")).isDirectory();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + a.adminAddress().getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.body())
                    .containsPattern("tidemark_journal_ring_capacity\\{[^}]*group=\"demo\"[^}]*} 64.0")
                    .containsPattern("tidemark_journal_sequence\\{[^}]*group=\"demo\"[^}]*state=\"durable\"")
                    .containsPattern("tidemark_journal_appends_total\\{[^}]*volume=\"demo\"")
                    .contains("tidemark_volumes 1.0");
        }
    }
}
