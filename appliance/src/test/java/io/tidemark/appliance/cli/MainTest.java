package io.tidemark.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.appliance.Main;
import io.tidemark.appliance.api.AdminApi;
import io.tidemark.appliance.api.PortalAddress;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.config.ConfigLoader;
import io.tidemark.appliance.metrics.ApplianceMetrics;
import io.tidemark.appliance.volume.JournaledStorage;
import io.tidemark.appliance.volume.TargetProvisioner;
import io.tidemark.appliance.volume.VolumeCatalog;
import io.tidemark.iscsi.TargetRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real in-process admin API. */
class MainTest {

    private static final String URL = "iscsi://192.0.2.7:3260/iqn.2026-11.io.tidemark:";

    @TempDir
    Path dir;

    private VolumeCatalog catalog;
    private ApplianceMetrics metrics;
    private AdminApi api;
    private String admin;

    private record Result(int code, String out, String err) {}

    private void startApi(String extraConfig) throws Exception {
        ApplianceConfig config = ConfigLoader.load("admin.port = 0\n" + extraConfig, "test.conf", List.of());
        TargetRegistry registry = new TargetRegistry();
        metrics = new ApplianceMetrics();
        catalog = VolumeCatalog.open(dir, new JournaledStorage(true, config.journal(), metrics.registry()),
                new TargetProvisioner(registry, config));
        metrics.bind(catalog, () -> 0);
        api = new AdminApi(config, new AdminApi.Services(catalog, registry, List::of, new PortalAddress("192.0.2.7", 3260),
                metrics)).start();
        admin = "127.0.0.1:" + api.address().getPort();
    }

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
            metrics.close();
            catalog.close();
        }
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void shouldCreateListResizeAndDeleteVolumesAsTables() throws Exception {
        startApi("");
        Result created = run("volume", "create", "v1", "--size", "10M", "--admin", admin);
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.out()).startsWith("NAME  SIZE  TARGET                      LUN  URL  ")
                .contains("v1    10M   iqn.2026-11.io.tidemark:v1  0    " + URL + "v1/0  " + dir.resolve("v1.img"));

        Result list = run("--admin", admin, "volume", "list");
        assertThat(list.code()).isZero();
        assertThat(list.out()).matches("""
                NAME  SIZE  TARGET                      LUN  APPENDED  DURABLE  APPLIED  CHECKPOINT  JOURNAL  URL
                v1    10M   iqn.2026-11.io.tidemark:v1  0    0         0        0        0           \\S+ +%sv1/0
                """.formatted(java.util.regex.Pattern.quote(URL)));

        Result shown = run("--admin", admin, "volume", "show", "v1");
        assertThat(shown.out()).contains("GROUP", "DURABILITY", "APPENDED", "CHECKPOINT", "JOURNAL-DIR", "write-back",
                dir.resolve("v1.journal").toAbsolutePath().toString());

        Result resized = run("volume", "resize", "v1", "--size", "20M", "--admin", admin);
        assertThat(resized.code()).isZero();
        assertThat(resized.out()).contains("v1    20M");

        Result deleted = run("volume", "delete", "v1", "--admin", admin);
        assertThat(deleted.code()).isZero();
        assertThat(deleted.out()).isEqualTo("deleted volume v1\n");
        assertThat(run("volume", "list", "--admin", admin).out()).isEqualTo("no volumes\n");
    }

    @Test
    void shouldPrintTheApisJsonWithTheJsonFlagInAnyPosition() throws Exception {
        startApi("");
        Result created = run("--json", "--admin", admin, "volume", "create", "d1", "--size", "1M", "--target", "vm", "--lun", "3");
        JsonNode v = new ObjectMapper().readTree(created.out());
        assertThat(v.path("url").asText()).isEqualTo(URL + "vm/3");
        JsonNode list = new ObjectMapper().readTree(run("volume", "list", "--json", "--admin", admin).out());
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("name").asText()).isEqualTo("d1");
        JsonNode targets = new ObjectMapper().readTree(run("target", "list", "--json", "--admin", admin).out());
        assertThat(targets.get(0).path("iqn").asText()).isEqualTo("iqn.2026-11.io.tidemark:vm");
        assertThat(new ObjectMapper().readTree(run("session", "list", "--json", "--admin", admin).out())).isEmpty();
        assertThat(run("session", "list", "--admin", admin).out()).isEqualTo("no sessions\n");
    }

    @Test
    void shouldExitOneAndPrintTheApisReasonOnRefusal() throws Exception {
        startApi("");
        Result r = run("volume", "create", "v1", "--size", "10X", "--admin", admin);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: size: 10X (expected: bytes or a number with K/M/G/T suffix) (HTTP 400)\n");
        Result missing = run("volume", "delete", "nope", "--admin", admin);
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("error: no volume named nope (HTTP 404)\n");
    }

    @Test
    void shouldSendTheTokenFromTheFlag() throws Exception {
        startApi("admin.token = t0k3n\n");
        assertThat(run("volume", "list", "--admin", admin).err()).startsWith("error: missing Authorization");
        assertThat(run("volume", "list", "--admin", admin, "--token", "t0k3n").code()).isZero();
    }

    @Test
    void shouldSendTheAdminTokenToPeerPairWhoseTokenFlagIsThePairingToken() throws Exception {
        startApi("admin.token = t0k3n\n");
        assertThat(run("volume", "list", "--admin", admin, "--admin-token", "t0k3n").code()).isZero();
        Result pair = run("peer", "pair", "dr", "--address", "127.0.0.1:1", "--token", "tmk1.a.b", "--admin-token",
                "t0k3n", "--admin", admin);
        assertThat(pair.err()).as("authenticated, then refused: this API serves no replication")
                .isEqualTo("error: replication is not running on this appliance (HTTP 503)\n");
        assertThat(run("peer", "pair", "dr", "--address", "127.0.0.1:1", "--token", "t0k3n", "--admin", admin).err())
                .as("--token is the pairing token here, not the bearer").startsWith("error: missing Authorization");
    }

    @Test
    void shouldExitOneWhenNoApplianceAnswers() throws Exception {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        Result r = run("volume", "list", "--admin", "127.0.0.1:" + freePort);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: cannot reach the admin API at 127.0.0.1:" + freePort + " (connection refused)");
    }

    @Test
    void shouldExitTwoOnUsageErrors() {
        assertThat(run().code()).isEqualTo(2);
        assertThat(run("volume").code()).isEqualTo(2);
        assertThat(run("volume", "create", "v1").err()).contains("Missing required option: '--size=SIZE'");
        assertThat(run("volume", "create", "v1").code()).isEqualTo(2);
        assertThat(run("--admin", "nohost", "volume", "list").err()).contains("--admin: nohost (expected: HOST:PORT");
        assertThat(run("volume", "frobnicate").code()).isEqualTo(2);
    }

    @Test
    void shouldPrintHelpForEverySubcommand() {
        Result r = run("volume", "create", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--size=SIZE", "--target=T", "--lun=N", "--admin=HOST:PORT", "--json");
        assertThat(run("start", "--help").out()).contains("--config=FILE", "--data=DIR", "--iscsi-port=N", "--admin-port=N");
    }

    @Test
    void shouldPrintHelpForTheReplicationCommands() {
        Result pair = run("peer", "pair", "--help");
        assertThat(pair.code()).as(pair.err()).isZero();
        assertThat(pair.out()).contains("--address=HOST:PORT", "--token=TOKEN", "--admin=HOST:PORT");
        assertThat(run("group", "protect", "--help").out()).contains("--peer=NAME", "--mode=MODE");
        assertThat(run("group", "create", "--help").out()).contains("--volume=NAME");
        assertThat(run("points", "--help").out()).contains("--from=TIME", "--to=TIME");
        assertThat(run("pit", "export", "--help").out()).contains("--at=TIME", "--checkpoint=NAME", "--seq=N");
        assertThat(run("pit", "--help").out()).contains("released at shutdown");
        assertThat(run("start", "--help").out()).contains("--replication-port=N");
        assertThat(run("checkpoint", "create", "--help").code()).isZero();
    }

    @Test
    void shouldRefuseAPitExportWithoutExactlyOnePoint() {
        assertThat(run("pit", "export", "g1").code()).isEqualTo(2);
        assertThat(run("pit", "export", "g1", "--seq", "5", "--checkpoint", "c").code()).isEqualTo(2);
    }

    @Test
    void shouldExitTwoOnConfigErrorsNamingTheKey() {
        Result r = run("start", "--iscsi-port", "99999", "--data", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("config error: iscsi.port = 99999 in flag --iscsi-port (expected: 0..65535)\n");
    }
}
