package io.tidemark.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.appliance.Appliance;
import io.tidemark.appliance.Main;
import io.tidemark.appliance.config.ConfigLoader;
import io.tidemark.appliance.config.ConfigLoader.FlagValue;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The peer, group, checkpoint, points and pit commands against one real in-process appliance. */
@Timeout(60)
class ReplicationCommandsTest {

    @TempDir
    Path dir;

    private Appliance appliance;
    private String admin;

    private record Result(int code, String out, String err) {}

    @BeforeEach
    void start() throws Exception {
        appliance = Appliance.start(ConfigLoader.load("""
                iscsi.address = 127.0.0.1
                iscsi.port = 0
                admin.port = 0
                replication.address = 127.0.0.1
                replication.port = 0
                demo.volume.size = 0
                appliance.name = site-a
                """, "test.conf", List.of(new FlagValue("data.dir", dir.toString(), "--data"))));
        admin = "127.0.0.1:" + appliance.adminAddress().getPort();
    }

    @AfterEach
    void stop() {
        appliance.close();
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--admin";
        all[args.length + 1] = admin;
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), all);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void shouldCreateListAndShowGroupsAsTables() {
        assertThat(run("volume", "create", "a", "--size", "4M").code()).isZero();
        assertThat(run("volume", "create", "b", "--size", "4M").code()).isZero();
        assertThat(run("group", "list").out()).isEqualTo("no groups\n");

        Result created = run("group", "create", "g1", "--volume", "a", "--volume", "b");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.out()).startsWith("GROUP  ROLE     STATE        VOLUMES  PEER  MODE\n"
                + "g1     primary  unprotected  a,b      -     -\n").contains("APPENDED", "DURABLE");

        assertThat(run("group", "list").out()).contains("g1     primary  unprotected  a,b");
        assertThat(run("group", "status", "g1").out()).contains("unprotected");
        Result missing = run("group", "status", "nope");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("error: no group named nope (HTTP 404)\n");
        Result badMode = run("group", "protect", "g1", "--peer", "dr", "--mode", "fast");
        assertThat(badMode.err()).contains("mode: fast (expected: async or sync) (HTTP 400)");
        assertThat(run("group", "protect", "g1", "--peer", "dr").err()).contains("peer dr is not paired", "(HTTP 409)");

        Result checkpoint = run("checkpoint", "create", "g1", "before-upgrade");
        assertThat(checkpoint.code()).as(checkpoint.err()).isZero();
        assertThat(checkpoint.out()).startsWith("CHECKPOINT      SEQUENCE  TIME\nbefore-upgrade  1 ");
    }

    @Test
    void shouldIssueTokensAndListPeers() throws Exception {
        Result token = run("peer", "token");
        assertThat(token.code()).as(token.err()).isZero();
        assertThat(token.out()).startsWith("tmk1.").endsWith("\n");
        JsonNode json = new ObjectMapper().readTree(run("peer", "token", "--json").out());
        assertThat(json.path("expiresAt").asText()).isNotEmpty();
        assertThat(run("peer", "list").out()).isEqualTo("no peers\n");
        assertThat(run("peer", "revoke", "nobody").err()).isEqualTo("error: no peer named nobody (HTTP 404)\n");
        Result noToken = run("peer", "pair", "dr", "--address", "127.0.0.1:1");
        assertThat(noToken.code()).isEqualTo(2);
        assertThat(noToken.err()).contains("--token");
        Result unreachable = run("peer", "pair", "dr", "--address", "127.0.0.1:1", "--token", token.out().trim());
        assertThat(unreachable.code()).isEqualTo(1);
        assertThat(unreachable.err()).startsWith("error: pairing with dr at 127.0.0.1:1 failed");
    }

    @Test
    void shouldListNoViewsOrPointsWithoutReplicas() {
        assertThat(run("pit", "list").out()).isEqualTo("no views\n");
        assertThat(run("points", "g1").err()).isEqualTo("error: no replica named g1 on this appliance (HTTP 404)\n");
        assertThat(run("pit", "export", "g1", "--seq", "3").err()).contains("no replica named g1", "(HTTP 404)");
        assertThat(run("pit", "release", "g1-pit-1").err()).isEqualTo("error: no view named g1-pit-1 (HTTP 404)\n");
    }
}
