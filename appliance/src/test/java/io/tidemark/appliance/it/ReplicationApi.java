package io.tidemark.appliance.it;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Issue 4's admin REST API (peers, groups, checkpoints, points, views) as a test client over
 * {@link ApplianceApi}: every call asserts the status the contract gives and names the call
 * and the body when it differs. Thread-safe (stateless over a thread-safe client).
 */
final class ReplicationApi {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    private final ApplianceApi api;
    private final String name;

    /** @param name how this appliance is named in messages ("primary", "dr") */
    ReplicationApi(ApplianceApi api, String name) {
        this.api = api;
        this.name = name;
    }

    ApplianceApi raw() {
        return api;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Token(String token, String expiresAt) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Checkpoint(String name, long sequence, String time) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Point(long sequence, String time, String name) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ViewVolume(String name, String target, int lun, String url) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record View(String view, String group, long sequence, String time, List<ViewVolume> volumes) {
    }

    /** GET /api/v1/groups/NAME as the contract shapes it; absent numbers read as -1. */
    record GroupStatus(JsonNode json) {
        String role() {
            return json.path("role").asText("");
        }

        String state() {
            return json.path("state").asText("");
        }

        String mode() {
            return json.path("mode").asText("");
        }

        double syncPercent() {
            return json.path("sync").path("percent").asDouble(-1);
        }

        long syncDoneBytes() {
            return json.path("sync").path("doneBytes").asLong(-1);
        }

        long syncTotalBytes() {
            return json.path("sync").path("totalBytes").asLong(-1);
        }

        long appended() {
            return json.path("sequence").path("appended").asLong(-1);
        }

        long durable() {
            return json.path("sequence").path("durable").asLong(-1);
        }

        long shipped() {
            return json.path("sequence").path("shipped").asLong(-1);
        }

        long acked() {
            return json.path("sequence").path("acked").asLong(-1);
        }

        long oldestSequence() {
            return json.path("window").path("oldest").path("sequence").asLong(-1);
        }

        long newestSequence() {
            return json.path("window").path("newest").path("sequence").asLong(-1);
        }

        int pinnedViews() {
            return json.path("pinnedViews").asInt(-1);
        }

        @Override
        public String toString() {
            return json.toString();
        }
    }

    // ---- peers

    /** POST /api/v1/peers/token -> 201. */
    Token issueToken() {
        return read(expect(api.post("/api/v1/peers/token", Map.of()), 201, "POST /api/v1/peers/token"), Token.class);
    }

    /** POST /api/v1/peers {"name","address","token"}: the raw reply (201 on success, 4xx with a reason). */
    ApplianceApi.Reply pair(String peer, String address, String token) {
        return api.post("/api/v1/peers", Map.of("name", peer, "address", address, "token", token));
    }

    /** GET /api/v1/peers: the names listed. */
    List<String> peerNames() {
        JsonNode node = expect(api.get("/api/v1/peers"), 200, "GET /api/v1/peers").json();
        JsonNode array = node.isArray() ? node : node.path("peers");
        List<String> names = new ArrayList<>();
        array.forEach(p -> names.add(p.path("name").asText()));
        return names;
    }

    // ---- groups

    /** POST /api/v1/groups {"name","volumes"} -> 201. */
    JsonNode createGroup(String group, List<String> volumes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", group);
        body.put("volumes", volumes);
        return expect(api.post("/api/v1/groups", body), 201, "POST /api/v1/groups " + body).json();
    }

    /** POST /api/v1/groups/NAME/protect {"peer","mode"} -> 200. */
    JsonNode protect(String group, String peer, String mode) {
        return expect(api.post("/api/v1/groups/" + group + "/protect", Map.of("peer", peer, "mode", mode)), 200,
                "POST /api/v1/groups/" + group + "/protect").json();
    }

    GroupStatus group(String group) {
        return new GroupStatus(expect(api.get("/api/v1/groups/" + group), 200, "GET /api/v1/groups/" + group).json());
    }

    /** POST /api/v1/groups/NAME/checkpoints {"name"} -> 201 (primary). */
    Checkpoint checkpoint(String group, String checkpoint) {
        return read(expect(api.post("/api/v1/groups/" + group + "/checkpoints", Map.of("name", checkpoint)), 201,
                "POST /api/v1/groups/" + group + "/checkpoints " + checkpoint), Checkpoint.class);
    }

    /** GET /api/v1/groups/NAME/points[?from=T&to=T] (DR); null bounds are left out. */
    List<Point> points(String group, String from, String to) {
        StringBuilder path = new StringBuilder("/api/v1/groups/" + group + "/points");
        String sep = "?";
        if (from != null) {
            path.append(sep).append("from=").append(URLEncoder.encode(from, StandardCharsets.UTF_8));
            sep = "&";
        }
        if (to != null) {
            path.append(sep).append("to=").append(URLEncoder.encode(to, StandardCharsets.UTF_8));
        }
        JsonNode node = expect(api.get(path.toString()), 200, "GET " + path).json();
        JsonNode array = node.isArray() ? node : node.path("points");
        List<Point> points = new ArrayList<>();
        array.forEach(p -> points.add(read(p.toString(), Point.class)));
        return points;
    }

    // ---- views

    /** POST /api/v1/views {"group", key: value} -> 201, key one of "at", "checkpoint", "seq". */
    View exportView(String group, String key, Object value) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("group", group);
        body.put(key, value);
        return read(expect(api.post("/api/v1/views", body), 201, "POST /api/v1/views " + body), View.class);
    }

    /** POST /api/v1/views: the raw reply, for refusals. */
    ApplianceApi.Reply tryExportView(String group, String key, Object value) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("group", group);
        body.put(key, value);
        return api.post("/api/v1/views", body);
    }

    /** DELETE /api/v1/views/VIEW -> 204. */
    void releaseView(String view) {
        expect(api.delete("/api/v1/views/" + view), 204, "DELETE /api/v1/views/" + view);
    }

    /** GET /api/v1/views: the view names. */
    List<String> viewNames() {
        JsonNode node = expect(api.get("/api/v1/views"), 200, "GET /api/v1/views").json();
        JsonNode array = node.isArray() ? node : node.path("views");
        List<String> names = new ArrayList<>();
        array.forEach(v -> names.add(v.path("view").asText(v.path("name").asText())));
        return names;
    }

    // ---- waiting

    /**
     * Polls GET /api/v1/groups/NAME until {@code condition} holds; fails after {@code deadline}
     * naming what was awaited and the last status.
     */
    GroupStatus awaitGroup(String group, Duration deadline, String what, Predicate<GroupStatus> condition) {
        long end = System.nanoTime() + deadline.toNanos();
        GroupStatus last = null;
        String lastError = "";
        while (true) {
            ApplianceApi.Reply reply = api.get("/api/v1/groups/" + group);
            if (reply.status() == 200) {
                last = new GroupStatus(reply.json());
                if (condition.test(last)) {
                    return last;
                }
            } else {
                lastError = " (last reply HTTP " + reply.status() + ": " + reply.body() + ")";
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(name + ": group " + group + " not " + what + " within "
                        + deadline.toSeconds() + " s; last status: " + last + lastError);
            }
            pause();
        }
    }

    /** The wait between two polls of a condition that is re-checked each time (not a synchronization). */
    static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while polling", e);
        }
    }

    private ApplianceApi.Reply expect(ApplianceApi.Reply reply, int status, String call) {
        if (reply.status() != status) {
            throw new AssertionError(name + ": " + call + " -> HTTP " + reply.status() + " (expected " + status + "): "
                    + reply.body());
        }
        return reply;
    }

    private static <T> T read(ApplianceApi.Reply reply, Class<T> type) {
        return read(reply.body(), type);
    }

    private static <T> T read(String body, Class<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new AssertionError("unexpected JSON for " + type.getSimpleName() + ": " + body, e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
