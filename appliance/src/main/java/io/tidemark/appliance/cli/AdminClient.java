package io.tidemark.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** The CLI's side of the admin REST API. Not thread-safe (one command, one client). */
public final class AdminClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final AdminEndpoint endpoint;
    private final String token;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param token bearer token, or null */
    public AdminClient(AdminEndpoint endpoint, String token) {
        this.endpoint = endpoint;
        this.token = token;
    }

    public JsonNode get(String path) {
        return send(request(path).GET());
    }

    public JsonNode post(String path, Object body) {
        return send(request(path).POST(body(body)).header("Content-Type", "application/json"));
    }

    public JsonNode patch(String path, Object body) {
        return send(request(path).method("PATCH", body(body)).header("Content-Type", "application/json"));
    }

    public JsonNode delete(String path) {
        return send(request(path).DELETE());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.uri(path)).timeout(TIMEOUT)
                .header("Accept", "application/json");
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private HttpRequest.BodyPublisher body(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode send(HttpRequest.Builder builder) {
        HttpRequest req = builder.build();
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliException("cannot reach the admin API at " + endpoint
                    + " (connection refused): is `tidemark start` running there? (--admin HOST:PORT)");
        } catch (HttpTimeoutException e) {
            throw new CliException("the admin API at " + endpoint + " did not answer within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw new CliException("cannot talk to the admin API at " + endpoint + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
        JsonNode body = parse(resp.body());
        if (resp.statusCode() >= 400) {
            String reason = body != null && body.hasNonNull("error") ? body.get("error").asText() : resp.body();
            throw new CliException(reason + " (HTTP " + resp.statusCode() + ")");
        }
        return body;
    }

    private JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
