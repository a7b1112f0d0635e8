package io.tidemark.appliance.it;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The appliance's admin REST API v1, as a test client. Thread-safe (HttpClient is). */
final class ApplianceApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ApplianceApi(String host, int port) {
        this.base = URI.create("http://" + host + ":" + port);
    }

    /** One HTTP exchange: status and body. */
    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (HTTP " + status + "): " + body, e);
            }
        }
    }

    /** GET /api/v1/health with a short timeout; throws IOException while nothing listens. */
    Reply health() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/v1/health"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Reply post(String path, Object body) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body))));
    }

    /** POST with a body sent as is (for malformed-request tests). */
    Reply postRaw(String path, String body) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Reply patch(String path, Object body) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(write(body))));
    }

    Reply delete(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    /** POST /api/v1/volumes; asserts 201 and returns the volume. target and lun may be null. */
    Volume createVolume(String name, long sizeBytes, String target, Integer lun) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("size", sizeBytes);
        if (target != null) {
            body.put("target", target);
        }
        if (lun != null) {
            body.put("lun", lun);
        }
        Reply reply = post("/api/v1/volumes", body);
        if (reply.status() != 201) {
            throw new AssertionError("POST /api/v1/volumes " + write(body) + " -> HTTP " + reply.status()
                    + " (expected 201): " + reply.body());
        }
        return read(reply.body(), new TypeReference<Volume>() { });
    }

    Volume createVolume(String name, long sizeBytes) {
        return createVolume(name, sizeBytes, null, null);
    }

    List<Volume> volumes() {
        Reply reply = get("/api/v1/volumes");
        if (reply.status() != 200) {
            throw new AssertionError("GET /api/v1/volumes -> HTTP " + reply.status() + ": " + reply.body());
        }
        JsonNode node = reply.json();
        // tolerate {"volumes":[...]} as well as a bare array; the contract doesn't pin the wrapper
        JsonNode array = node.isArray() ? node : node.path("volumes");
        return read(array.toString(), new TypeReference<List<Volume>>() { });
    }

    Volume volume(String name) {
        Reply reply = get("/api/v1/volumes/" + name);
        if (reply.status() != 200) {
            throw new AssertionError("GET /api/v1/volumes/" + name + " -> HTTP " + reply.status() + ": " + reply.body());
        }
        return read(reply.body(), new TypeReference<Volume>() { });
    }

    private Reply send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> response = http.send(builder.timeout(REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new AssertionError("admin API at " + base + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static <T> T read(String body, TypeReference<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new AssertionError("unexpected JSON from the admin API: " + body, e);
        }
    }
}
