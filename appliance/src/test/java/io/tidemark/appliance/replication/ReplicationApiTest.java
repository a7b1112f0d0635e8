package io.tidemark.appliance.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.appliance.Appliance;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.config.ConfigLoader;
import io.tidemark.appliance.config.ConfigLoader.FlagValue;
import io.tidemark.appliance.group.GroupMetadata;
import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.journal.ConsistencyGroup;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer, group, checkpoint, point and view routes of two real in-process appliances
 * (primary and DR) paired over the loopback replication link.
 */
@Timeout(120)
class ReplicationApiTest {

    private static final String IQN = "iqn.2026-11.io.tidemark:";

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private Appliance primary;
    private Appliance dr;

    private record Answer(int status, JsonNode body) {}

    private ApplianceConfig config(String name) throws Exception {
        return config(name, 0);
    }

    private ApplianceConfig config(String name, int replicationPort) throws Exception {
        Path data = Files.createDirectories(dir.resolve(name));
        return ConfigLoader.load("""
                iscsi.address = 127.0.0.1
                iscsi.port = 0
                admin.port = 0
                replication.address = 127.0.0.1
                replication.port = %d
                demo.volume.size = 0
                dr.checkpoint-interval = 100ms
                appliance.name = %s
                """.formatted(replicationPort, name), "test.conf", List.of(new FlagValue("data.dir", data.toString(), "--data")));
    }

    @AfterEach
    void stop() {
        if (primary != null) {
            primary.close();
        }
        if (dr != null) {
            dr.close();
        }
    }

    private Answer call(Appliance a, String method, String path, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.adminAddress().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : json.readTree(r.body()));
    }

    private String metrics(Appliance a) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.adminAddress().getPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Polls GET PATH until {@code done} holds; fails after 60 s with the last answer. */
    private JsonNode await(Appliance a, String path, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            Answer r = call(a, "GET", path, null);
            last = r.body();
            if (r.status() == 200 && done.test(last)) {
                return last;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new AssertionError("GET " + path + " never reached the expected state; last answer: " + last);
    }

    private static ByteBuffer block(int fill) {
        byte[] b = new byte[4096];
        Arrays.fill(b, (byte) fill);
        return ByteBuffer.wrap(b);
    }

    private long write(String group, int member, long lba, int fill) throws Exception {
        GroupMetadata g = primary.replication().groupCatalog().get(group);
        ConsistencyGroup journal = primary.replication().groupCatalog().journal(group).orElseThrow();
        return journal.write(g.volumes().get(member).id(), lba, block(fill), false).get(10, TimeUnit.SECONDS);
    }

    private byte readView(String view, int lun, long lba) throws Exception {
        LogicalUnit unit = dr.targets().target(IQN + view).orElseThrow().lun(lun).orElseThrow().unit();
        assertThat(unit.readOnly()).isTrue();
        ByteBuffer dst = ByteBuffer.allocate(512);
        unit.read(lba, dst).get(10, TimeUnit.SECONDS);
        return dst.get(0);
    }

    private void pairPrimaryWithDr() throws Exception {
        Answer token = call(dr, "POST", "/api/v1/peers/token", null);
        assertThat(token.status()).isEqualTo(201);
        assertThat(token.body().path("expiresAt").asText()).isNotEmpty();
        String body = json.writeValueAsString(java.util.Map.of("name", "dr", "address",
                "127.0.0.1:" + dr.replicationAddress().getPort(), "token", token.body().path("token").asText()));
        Answer paired = call(primary, "POST", "/api/v1/peers", body);
        assertThat(paired.status()).as(String.valueOf(paired.body())).isEqualTo(201);
        assertThat(paired.body().path("name").asText()).isEqualTo("dr");
        Answer again = call(primary, "POST", "/api/v1/peers", body);
        assertThat(again.status()).as("a used token").isEqualTo(400);
        assertThat(again.body().path("error").asText()).contains("pairing with dr");
    }

    @Test
    void shouldPairProtectCheckpointAndExportAViewAtTheCheckpoint() throws Exception {
        dr = Appliance.start(config("dr"));
        primary = Appliance.start(config("primary"));
        assertThat(call(primary, "POST", "/api/v1/volumes", "{\"name\":\"a\",\"size\":\"4M\"}").status()).isEqualTo(201);
        assertThat(call(primary, "POST", "/api/v1/volumes", "{\"name\":\"b\",\"size\":\"4M\"}").status()).isEqualTo(201);
        pairPrimaryWithDr();
        JsonNode peers = call(primary, "GET", "/api/v1/peers", null).body();
        assertThat(peers).hasSize(1);
        assertThat(peers.get(0).path("fingerprint").asText()).hasSize(64);
        assertThat(call(dr, "GET", "/api/v1/peers", null).body().get(0).path("name").asText()).isEqualTo("primary");

        Answer created = call(primary, "POST", "/api/v1/groups", "{\"name\":\"g1\",\"volumes\":[\"a\",\"b\"]}");
        assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
        assertThat(created.body().path("role").asText()).isEqualTo("primary");
        assertThat(created.body().path("state").asText()).isEqualTo("unprotected");
        write("g1", 0, 0, 0x0A);

        Answer protect = call(primary, "POST", "/api/v1/groups/g1/protect", "{\"peer\":\"dr\",\"mode\":\"async\"}");
        assertThat(protect.status()).as(String.valueOf(protect.body())).isEqualTo(200);
        assertThat(protect.body().path("peer").asText()).isEqualTo("dr");
        assertThat(Files.getPosixFilePermissions(dir.resolve("primary/groups/g1.key")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        await(primary, "/api/v1/groups/g1", g -> g.path("state").asText().equals("protected"));

        write("g1", 0, 8, 0x11);
        write("g1", 1, 8, 0x22);
        Answer checkpoint = call(primary, "POST", "/api/v1/groups/g1/checkpoints", "{\"name\":\"cp1\"}");
        assertThat(checkpoint.status()).isEqualTo(201);
        long cpSeq = checkpoint.body().path("sequence").asLong();
        long after = write("g1", 0, 8, 0x33);
        assertThat(after).isGreaterThan(cpSeq);

        JsonNode replica = await(dr, "/api/v1/groups/g1",
                g -> g.path("window").path("newest").path("sequence").asLong() >= after);
        assertThat(replica.path("role").asText()).isEqualTo("replica");
        assertThat(replica.path("state").asText()).isEqualTo("protected");
        assertThat(replica.path("volumes")).extracting(JsonNode::asText).containsExactly("a", "b");
        assertThat(replica.path("peer").asText()).isEqualTo("primary");
        JsonNode points = call(dr, "GET", "/api/v1/groups/g1/points", null).body();
        assertThat(points).anySatisfy(p -> {
            assertThat(p.path("name").asText()).isEqualTo("cp1");
            assertThat(p.path("sequence").asLong()).isEqualTo(cpSeq);
        });
        JsonNode primaryStatus = call(primary, "GET", "/api/v1/groups/g1", null).body();
        assertThat(primaryStatus.path("sequence").path("acked").asLong()).isGreaterThanOrEqualTo(cpSeq);
        assertThat(primaryStatus.path("sync").path("percent").asDouble()).isEqualTo(100.0);

        Answer view = call(dr, "POST", "/api/v1/views", "{\"group\":\"g1\",\"checkpoint\":\"cp1\"}");
        assertThat(view.status()).as(String.valueOf(view.body())).isEqualTo(201);
        assertThat(view.body().path("view").asText()).isEqualTo("g1-pit-1");
        assertThat(view.body().path("sequence").asLong()).isEqualTo(cpSeq);
        JsonNode luns = view.body().path("volumes");
        assertThat(luns).hasSize(2);
        assertThat(luns.get(1).path("name").asText()).isEqualTo("b");
        assertThat(luns.get(1).path("url").asText()).endsWith("/" + IQN + "g1-pit-1/1");
        assertThat(readView("g1-pit-1", 0, 0)).isEqualTo((byte) 0x0A);
        assertThat(readView("g1-pit-1", 0, 8)).as("as of cp1, not the later write").isEqualTo((byte) 0x11);
        assertThat(readView("g1-pit-1", 1, 8)).isEqualTo((byte) 0x22);
        assertThat(call(dr, "GET", "/api/v1/views", null).body()).hasSize(1);
        assertThat(call(dr, "GET", "/api/v1/groups/g1", null).body().path("pinnedViews").asInt()).isEqualTo(1);

        Answer latest = call(dr, "POST", "/api/v1/views", "{\"group\":\"g1\",\"seq\":" + after + "}");
        assertThat(latest.body().path("view").asText()).isEqualTo("g1-pit-2");
        assertThat(readView("g1-pit-2", 0, 8)).isEqualTo((byte) 0x33);

        Answer onReplica = call(dr, "POST", "/api/v1/groups/g1/checkpoints", "{\"name\":\"cp9\"}");
        expect(onReplica, 409, "group g1 is a replica on this appliance");
        expect(call(dr, "POST", "/api/v1/groups/g1/protect", "{\"peer\":\"primary\"}"), 409, "replica");

        assertThat(metrics(primary)).contains("tidemark_groups 1.0").containsPattern("tidemark_replication_lag_seconds\\{[^}]*group=\"g1\"");
        assertThat(metrics(dr)).contains("tidemark_views 2.0", "tidemark_replicas 1.0");

        assertThat(call(dr, "DELETE", "/api/v1/views/g1-pit-1", null).status()).isEqualTo(204);
        assertThat(dr.targets().target(IQN + "g1-pit-1")).isEmpty();
        assertThat(call(dr, "DELETE", "/api/v1/views/g1-pit-1", null).status()).isEqualTo(404);
        assertThat(call(dr, "GET", "/api/v1/views", null).body()).hasSize(1);
    }

    @Test
    void shouldResumeShippingAndKeepTheReplicaAcrossRestartsOfBothAppliances() throws Exception {
        dr = Appliance.start(config("dr"));
        primary = Appliance.start(config("primary"));
        int drPort = dr.replicationAddress().getPort();
        assertThat(call(primary, "POST", "/api/v1/volumes", "{\"name\":\"a\",\"size\":\"4M\"}").status()).isEqualTo(201);
        pairPrimaryWithDr();
        assertThat(call(primary, "POST", "/api/v1/groups", "{\"name\":\"g1\",\"volumes\":[\"a\"]}").status())
                .isEqualTo(201);
        assertThat(call(primary, "POST", "/api/v1/groups/g1/protect", "{\"peer\":\"dr\",\"mode\":\"sync\"}").status())
                .isEqualTo(200);
        await(primary, "/api/v1/groups/g1", g -> g.path("state").asText().equals("protected"));
        long first = write("g1", 0, 8, 0x11);
        await(dr, "/api/v1/groups/g1", g -> g.path("window").path("newest").path("sequence").asLong() >= first);
        primary.close();
        primary = null;
        dr.close();
        dr = null;

        dr = Appliance.start(config("dr", drPort));
        primary = Appliance.start(config("primary"));

        JsonNode replica = call(dr, "GET", "/api/v1/groups/g1", null).body();
        assertThat(replica.path("role").asText()).as("reopened replica: " + replica).isEqualTo("replica");
        assertThat(replica.path("window").path("newest").path("sequence").asLong()).isGreaterThanOrEqualTo(first);
        JsonNode status = await(primary, "/api/v1/groups/g1", g -> g.path("state").asText().equals("protected"));
        assertThat(status.path("mode").asText()).isEqualTo("sync");
        long second = write("g1", 0, 8, 0x22);
        await(dr, "/api/v1/groups/g1", g -> g.path("window").path("newest").path("sequence").asLong() >= second);
        Answer view = call(dr, "POST", "/api/v1/views", "{\"group\":\"g1\",\"seq\":" + second + "}");
        assertThat(view.status()).as(String.valueOf(view.body())).isEqualTo(201);
        assertThat(readView(view.body().path("view").asText(), 0, 8)).isEqualTo((byte) 0x22);
    }

    @Test
    void shouldRefuseBadRequestsWithTheStatusAndAReasonNamingTheValue() throws Exception {
        dr = Appliance.start(config("dr"));
        primary = Appliance.start(config("primary"));
        assertThat(call(primary, "POST", "/api/v1/volumes", "{\"name\":\"a\",\"size\":\"4M\"}").status()).isEqualTo(201);
        assertThat(call(primary, "POST", "/api/v1/groups", "{\"name\":\"g1\",\"volumes\":[\"a\"]}").status()).isEqualTo(201);

        expect(call(primary, "GET", "/api/v1/groups/nope", null), 404, "nope");
        expect(call(primary, "POST", "/api/v1/groups", "{\"name\":\"g2\",\"volumes\":[\"zz\"]}"), 404, "zz");
        expect(call(primary, "POST", "/api/v1/groups", "{\"name\":\"g2\",\"volumes\":[]}"), 400, "volumes");
        expect(call(primary, "POST", "/api/v1/groups", "{\"name\":\"g2\",\"volumes\":[\"a\"]}"), 409, "group g1");
        expect(call(primary, "DELETE", "/api/v1/volumes/a", null), 409, "group g1");
        expect(call(primary, "POST", "/api/v1/groups/g1/protect", "{\"peer\":\"dr\",\"mode\":\"fast\"}"), 400,
                "async or sync");
        expect(call(primary, "POST", "/api/v1/groups/g1/protect", "{\"peer\":\"dr\"}"), 409, "peer dr is not paired");
        expect(call(primary, "POST", "/api/v1/groups/nope/protect", "{\"peer\":\"dr\"}"), 404, "nope");
        expect(call(primary, "POST", "/api/v1/groups/g1/checkpoints", "{}"), 400, "name");
        expect(call(primary, "DELETE", "/api/v1/peers/dr", null), 404, "dr");
        expect(call(primary, "POST", "/api/v1/peers", "{\"name\":\"dr\",\"address\":\"127.0.0.1:1\",\"token\":\"junk\"}"),
                400, "malformed token");
        expect(call(dr, "GET", "/api/v1/groups/g1/points", null), 404, "g1");
        expect(call(dr, "GET", "/api/v1/groups/g1/points?from=yesterday", null), 400, "yesterday");
        expect(call(dr, "POST", "/api/v1/views", "{\"group\":\"g1\",\"seq\":5,\"checkpoint\":\"x\"}"), 400, "exactly one");
        expect(call(dr, "POST", "/api/v1/views", "{\"group\":\"g1\",\"seq\":5}"), 404, "g1");
        expect(call(dr, "POST", "/api/v1/views", "{\"group\":\"g1\",\"at\":\"noon\"}"), 400, "noon");
        expect(call(dr, "DELETE", "/api/v1/views/g1-pit-7", null), 404, "g1-pit-7");
        assertThat(call(primary, "GET", "/api/v1/groups", null).body()).hasSize(1);
        assertThat(call(dr, "GET", "/api/v1/groups", null).body()).isEmpty();
        assertThat(call(primary, "GET", "/api/v1/volumes", null).body()).hasSize(1);
    }

    private static void expect(Answer a, int status, String reasonPart) {
        assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(status);
        assertThat(a.body().path("error").asText()).contains(reasonPart);
    }
}
