package io.tidemark.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.config.ConfigLoader;
import io.tidemark.appliance.metrics.ApplianceMetrics;
import io.tidemark.appliance.volume.JournaledStorage;
import io.tidemark.appliance.volume.TargetProvisioner;
import io.tidemark.appliance.volume.VolumeCatalog;
import io.tidemark.iscsi.SessionInfo;
import io.tidemark.iscsi.TargetRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdminApiTest {

    private static final String IQN = "iqn.2026-11.io.tidemark:";
    private static final PortalAddress PORTAL = new PortalAddress("192.0.2.7", 3260);
    private static final List<SessionInfo> SESSIONS = List.of(
            new SessionInfo("iqn.1998-01.com.vmware:esx1", "400001370000", 1, IQN + "v1", "192.0.2.9:51000", 1));

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private VolumeCatalog catalog;
    private ApplianceMetrics metrics;
    private TargetRegistry lunRegistry;
    private AdminApi api;

    private void start(String configText) throws Exception {
        ApplianceConfig config = ConfigLoader.load(configText + "\nadmin.port = 0\n", "test.conf", List.of());
        TargetRegistry registry = new TargetRegistry();
        lunRegistry = registry;
        metrics = new ApplianceMetrics();
        catalog = VolumeCatalog.open(dir, new JournaledStorage(true, config.journal(), metrics.registry()),
                new TargetProvisioner(registry, config));
        metrics.bind(catalog, SESSIONS::size);
        api = new AdminApi(config, new AdminApi.Services(catalog, registry, () -> SESSIONS, PORTAL, metrics)).start();
    }

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (catalog != null) {
            catalog.close();
        }
    }

    private HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(method, path, body, null);
    }

    private JsonNode body(HttpResponse<String> r) throws Exception {
        return json.readTree(r.body());
    }

    private void assertError(HttpResponse<String> r, int status, String error) throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        assertThat(body(r).path("error").asText()).isEqualTo(error);
    }

    @Test
    void shouldAnswerHealth() throws Exception {
        start("");
        HttpResponse<String> r = call("GET", "/api/v1/health", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body(r)).isEqualTo(json.readTree("{\"status\":\"ok\"}"));
    }

    @Test
    void shouldAnswer503OnReplicationRoutesWhenReplicationIsNotServed() throws Exception {
        start("");
        for (String[] route : List.of(new String[] {"GET", "/api/v1/groups"}, new String[] {"GET", "/api/v1/peers"},
                new String[] {"POST", "/api/v1/peers/token"}, new String[] {"GET", "/api/v1/views"})) {
            assertError(call(route[0], route[1], null), 503, "replication is not running on this appliance");
        }
        assertError(call("POST", "/api/v1/groups", "{\"name\":\"g1\",\"volumes\":[\"a\"],\"x\":1}"), 400,
                "unknown field x (expected: name, volumes)");
    }

    @Test
    void shouldAnswer503UntilServingThen200() throws Exception {
        start("");
        AdminApi early = new AdminApi(ConfigLoader.load("admin.port = 0\n", "test.conf", List.of())).start();
        try {
            int port = early.address().getPort();
            for (String path : List.of("/api/v1/health", "/api/v1/volumes", "/metrics")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isEqualTo(503);
                assertThat(body(r).path("error").asText()).isEqualTo("starting: volumes and the iSCSI portal are not up yet");
            }
            early.serve(new AdminApi.Services(catalog, new TargetRegistry(), List::of, PORTAL, metrics));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/health"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        } finally {
            early.close();
        }
    }

    @Test
    void shouldCreateListShowResizeAndDeleteAVolume() throws Exception {
        start("");
        HttpResponse<String> created = call("POST", "/api/v1/volumes", "{\"name\":\"v1\",\"size\":\"10M\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).contains("/api/v1/volumes/v1");
        JsonNode v = body(created);
        assertThat(v.path("name").asText()).isEqualTo("v1");
        assertThat(v.path("sizeBytes").asLong()).isEqualTo(10L << 20);
        assertThat(v.path("target").asText()).isEqualTo(IQN + "v1");
        assertThat(v.path("lun").asInt()).isZero();
        assertThat(v.path("url").asText()).isEqualTo("iscsi://192.0.2.7:3260/" + IQN + "v1/0");
        assertThat(v.path("path").asText()).isEqualTo(dir.resolve("v1.img").toAbsolutePath().toString());
        assertThat(v.path("naaId").asText()).hasSize(32);
        JsonNode journal = v.path("journal");
        assertThat(journal.path("groupId").asInt()).isPositive();
        assertThat(journal.path("durability").asText()).isEqualTo("write-back");
        assertThat(journal.path("directory").asText()).isEqualTo(dir.resolve("v1.journal").toAbsolutePath().toString());
        for (String seq : List.of("appended", "durable", "applied", "checkpointed", "bytes")) {
            assertThat(journal.path(seq).isIntegralNumber()).as(seq).isTrue();
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) v).remove("journal");

        JsonNode listed = body(call("GET", "/api/v1/volumes", null));
        assertThat(listed).hasSize(1);
        assertThat(withoutJournal(listed.get(0))).isEqualTo(v);
        assertThat(withoutJournal(body(call("GET", "/api/v1/volumes/v1", null)))).isEqualTo(v);

        HttpResponse<String> grown = call("PATCH", "/api/v1/volumes/v1", "{\"size\":20971520}");
        assertThat(grown.statusCode()).isEqualTo(200);
        assertThat(body(grown).path("sizeBytes").asLong()).isEqualTo(20L << 20);

        assertThat(call("DELETE", "/api/v1/volumes/v1", null).statusCode()).isEqualTo(204);
        assertError(call("GET", "/api/v1/volumes/v1", null), 404, "no volume named v1");
        assertThat(body(call("GET", "/api/v1/volumes", null))).isEmpty();
    }

    @Test
    void shouldPlaceAVolumeOnARequestedTargetAndLun() throws Exception {
        start("");
        JsonNode v = body(call("POST", "/api/v1/volumes", "{\"name\":\"d1\",\"size\":1048576,\"target\":\"vm7\",\"lun\":4}"));
        assertThat(v.path("target").asText()).isEqualTo(IQN + "vm7");
        assertThat(v.path("lun").asInt()).isEqualTo(4);
        assertThat(v.path("url").asText()).isEqualTo("iscsi://192.0.2.7:3260/" + IQN + "vm7/4");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"name\":\"v1\",\"size\":\"10X\"} | size: 10X (expected: bytes or a number with K/M/G/T suffix)",
        "{\"name\":\"v1\",\"size\":-5} | size: -5 (expected: bytes or a number with K/M/G/T suffix)",
        "{\"name\":\"v1\",\"size\":1.5} | size: 1.5 (expected: bytes or a number with K/M/G/T suffix)",
        "{\"name\":\"v1\"} | size: missing (expected: bytes or a number with K/M/G/T suffix)",
        "{\"size\":\"1G\"} | name: missing (expected: a string)",
        "{\"name\":7,\"size\":\"1G\"} | name: 7 (expected: a string)",
        "{\"name\":\"Bad Name\",\"size\":\"1G\"} | name: Bad Name (expected: [a-z0-9][a-z0-9-]{0,62})",
        "{\"name\":\"v1\",\"size\":\"1000\"} | size: 1000 (expected: a multiple of 512 bytes from 1M to 64T)",
        "{\"name\":\"v1\",\"size\":\"1G\",\"lun\":\"x\"} | lun: \"x\" (expected: 0..16383)",
        "{\"name\":\"v1\",\"size\":\"1G\",\"lun\":99999} | lun: 99999 (expected: 0..16383)",
        "{\"name\":\"v1\",\"sise\":\"1G\"} | unknown field sise (expected: lun, name, size, target)",
        "[1,2] | body: expected a JSON object like {\"name\":\"v1\",\"size\":\"10G\"}",
    })
    void shouldRefuseBadCreateRequestsWith400AndAReason(String body, String error) throws Exception {
        start("");
        assertError(call("POST", "/api/v1/volumes", body), 400, error);
        assertThat(catalog.list()).isEmpty();
    }

    @Test
    void shouldRefuseMalformedJson() throws Exception {
        start("");
        HttpResponse<String> r = call("POST", "/api/v1/volumes", "{\"name\":");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(body(r).path("error").asText()).startsWith("body: not JSON");
    }

    @Test
    void shouldRefuseADuplicateNameWith409() throws Exception {
        start("");
        call("POST", "/api/v1/volumes", "{\"name\":\"v1\",\"size\":\"1M\"}");
        assertError(call("POST", "/api/v1/volumes", "{\"name\":\"v1\",\"size\":\"1M\"}"), 409, "volume v1 already exists");
    }

    @Test
    void shouldRefuseToShrinkWith409() throws Exception {
        start("");
        call("POST", "/api/v1/volumes", "{\"name\":\"v1\",\"size\":\"2M\"}");
        assertError(call("PATCH", "/api/v1/volumes/v1", "{\"size\":\"1M\"}"), 409,
                "size: 1M is smaller than volume v1's 2M (expected: at least 2M; volumes only grow)");
        assertError(call("PATCH", "/api/v1/volumes/v1", "{\"size\":\"4M\",\"name\":\"x\"}"), 400,
                "unknown field name (expected: size)");
    }

    @Test
    void shouldAnswer404ForUnknownVolumesAndRoutes() throws Exception {
        start("");
        assertError(call("PATCH", "/api/v1/volumes/nope", "{\"size\":\"4M\"}"), 404, "no volume named nope");
        assertError(call("DELETE", "/api/v1/volumes/nope", null), 404, "no volume named nope");
        HttpResponse<String> r = call("GET", "/api/v1/nothing", null);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(body(r).path("error").asText()).isNotEmpty();
    }

    @Test
    void shouldListTargetsWithAuthAndLuns() throws Exception {
        start("""
                target.secure.chap.user = esx
                target.secure.chap.secret = 0123456789ab
                target.secure.chap.mutual-user = tm
                target.secure.chap.mutual-secret = ba9876543210
                target.secure.allowed-initiators = iqn.1998-01.com.vmware:esx1
                target.secure.alias = Secure
                """);
        call("POST", "/api/v1/volumes", "{\"name\":\"db\",\"size\":\"1M\",\"target\":\"secure\"}");
        call("POST", "/api/v1/volumes", "{\"name\":\"web\",\"size\":\"1M\"}");
        JsonNode targets = body(call("GET", "/api/v1/targets", null));
        assertThat(targets).hasSize(2);
        JsonNode secure = targets.get(0);
        assertThat(secure.path("iqn").asText()).isEqualTo(IQN + "secure");
        assertThat(secure.path("alias").asText()).isEqualTo("Secure");
        assertThat(secure.path("auth").asText()).isEqualTo("mutual-chap");
        assertThat(secure.path("allowedInitiators").get(0).asText()).isEqualTo("iqn.1998-01.com.vmware:esx1");
        assertThat(secure.path("luns").get(0).path("volume").asText()).isEqualTo("db");
        assertThat(secure.path("luns").get(0).path("url").asText()).isEqualTo("iscsi://192.0.2.7:3260/" + IQN + "secure/0");
        assertThat(secure.toString()).doesNotContain("0123456789ab");
        assertThat(targets.get(1).path("auth").asText()).isEqualTo("none");
    }

    @Test
    void shouldListSessions() throws Exception {
        start("");
        JsonNode sessions = body(call("GET", "/api/v1/sessions", null));
        assertThat(sessions).hasSize(1);
        assertThat(sessions.get(0).path("initiatorName").asText()).isEqualTo("iqn.1998-01.com.vmware:esx1");
        assertThat(sessions.get(0).path("targetName").asText()).isEqualTo(IQN + "v1");
        assertThat(sessions.get(0).path("tsih").asInt()).isEqualTo(1);
    }

    @Test
    void shouldExposePrometheusMetrics() throws Exception {
        start("");
        call("POST", "/api/v1/volumes", "{\"name\":\"v1\",\"size\":\"2M\"}");
        HttpResponse<String> r = call("GET", "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
        assertThat(r.body())
                .contains("tidemark_volumes 1.0")
                .contains("tidemark_volumes_capacity_bytes 2097152.0")
                .contains("tidemark_iscsi_sessions 1.0")
                .containsPattern("tidemark_volume_size_bytes\\{[^}]*volume=\"v1\"[^}]*} 2097152.0")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void shouldExposeEachVolumesJournalMetersOnMetrics() throws Exception {
        start("");
        call("POST", "/api/v1/volumes", "{\"name\":\"v1\",\"size\":\"2M\"}");
        catalog.list(); // the volume is served: write through its unit
        registryLun("v1").write(0, java.nio.ByteBuffer.allocate(4096), true).join();

        String body = call("GET", "/metrics", null).body();

        assertThat(body)
                .containsPattern("tidemark_journal_appends_total\\{[^}]*group=\"v1\"[^}]*volume=\"v1\"[^}]*} 1.0")
                .containsPattern("tidemark_journal_appended_bytes_total\\{[^}]*volume=\"v1\"")
                .containsPattern("tidemark_journal_fdatasync_seconds_count\\{[^}]*group=\"v1\"")
                .containsPattern("tidemark_journal_batch_records_count\\{[^}]*group=\"v1\"")
                .containsPattern("tidemark_journal_sequence\\{[^}]*group=\"v1\"[^}]*state=\"appended\"[^}]*} 1.0")
                .contains("tidemark_journal_ring_occupancy")
                .contains("tidemark_journal_disk_bytes");
        call("DELETE", "/api/v1/volumes/v1", null);
        assertThat(call("GET", "/metrics", null).body()).doesNotContain("group=\"v1\"");
    }

    private io.tidemark.iscsi.spi.LogicalUnit registryLun(String volume) {
        return lunRegistry.target(IQN + volume).orElseThrow().lun(0).orElseThrow().unit();
    }

    private static JsonNode withoutJournal(JsonNode volume) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) volume).remove("journal");
        return volume;
    }

    @Test
    void shouldRequireTheBearerTokenWhenConfiguredExceptForHealth() throws Exception {
        start("admin.token = t0k3n");
        assertError(call("GET", "/api/v1/volumes", null, null), 401, "missing Authorization: Bearer <admin.token>");
        assertError(call("GET", "/api/v1/volumes", null, "Bearer wrong"), 401,
                "wrong bearer token (expected: the admin.token of this appliance)");
        assertError(call("POST", "/api/v1/volumes", "{\"name\":\"v1\",\"size\":\"1M\"}", "Bearer wrong"), 401,
                "wrong bearer token (expected: the admin.token of this appliance)");
        assertThat(catalog.list()).isEmpty();
        assertThat(call("GET", "/metrics", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/volumes", null, "Bearer t0k3n").statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/health", null, null).statusCode()).isEqualTo(200);
    }
}
