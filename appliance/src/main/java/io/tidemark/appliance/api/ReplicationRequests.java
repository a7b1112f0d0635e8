package io.tidemark.appliance.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reads the bodies of the peer, group, checkpoint and view requests, refusing anything unexpected by field. Thread-safe. */
final class ReplicationRequests {

    /** POST /api/v1/peers. */
    record Pair(String name, String address, String token) {}

    /** POST /api/v1/groups. */
    record CreateGroup(String name, List<String> volumes) {}

    /** POST /api/v1/groups/NAME/protect. */
    record Protect(String peer, String mode) {}

    /** POST /api/v1/views: exactly one of at, checkpoint, seq. */
    record Export(String group, Instant at, String checkpoint, Long seq) {}

    static final String MODES = "async or sync";

    private final ObjectMapper json;

    ReplicationRequests(ObjectMapper json) {
        this.json = json;
    }

    Pair pair(String body) {
        JsonNode n = object(body, "{\"name\":\"dr\",\"address\":\"dr.example:3270\",\"token\":\"...\"}",
                Set.of("name", "address", "token"));
        return new Pair(text(n, "name", true), text(n, "address", true), text(n, "token", true));
    }

    CreateGroup createGroup(String body) {
        JsonNode n = object(body, "{\"name\":\"g1\",\"volumes\":[\"a\",\"b\"]}", Set.of("name", "volumes"));
        JsonNode v = n.get("volumes");
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new ApiException(400, "volumes: " + (v == null ? "missing" : v) + " (expected: an array of volume names)");
        }
        List<String> volumes = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw new ApiException(400, "volumes: " + item + " (expected: volume names as strings)");
            }
            volumes.add(item.asText());
        }
        return new CreateGroup(text(n, "name", true), volumes);
    }

    Protect protect(String body) {
        JsonNode n = object(body, "{\"peer\":\"dr\",\"mode\":\"async\"}", Set.of("peer", "mode"));
        String mode = text(n, "mode", false);
        return new Protect(text(n, "peer", true), mode == null ? "async" : mode(mode));
    }

    String checkpoint(String body) {
        return text(object(body, "{\"name\":\"after-quiesce\"}", Set.of("name")), "name", true);
    }

    Export export(String body) {
        JsonNode n = object(body, "{\"group\":\"g1\",\"checkpoint\":\"after-quiesce\"}",
                Set.of("group", "at", "checkpoint", "seq"));
        String at = text(n, "at", false);
        String checkpoint = text(n, "checkpoint", false);
        JsonNode seqNode = n.get("seq");
        Long seq = null;
        if (seqNode != null && !seqNode.isNull()) {
            if (!seqNode.isIntegralNumber() || !seqNode.canConvertToLong() || seqNode.asLong() < 1) {
                throw new ApiException(400, "seq: " + seqNode + " (expected: a sequence number >= 1)");
            }
            seq = seqNode.asLong();
        }
        int given = (at != null ? 1 : 0) + (checkpoint != null ? 1 : 0) + (seq != null ? 1 : 0);
        if (given != 1) {
            throw new ApiException(400, "point: " + given + " of at, checkpoint, seq given (expected: exactly one)");
        }
        return new Export(text(n, "group", true), at == null ? null : instant("at", at), checkpoint, seq);
    }

    /** "async" or "sync", else 400 naming the allowed values. */
    static String mode(String mode) {
        if (!mode.equals("async") && !mode.equals("sync")) {
            throw new ApiException(400, "mode: " + mode + " (expected: " + MODES + ")");
        }
        return mode;
    }

    /** An ISO-8601 instant (2026-11-22T03:00:00Z), else 400 naming the parameter. */
    static Instant instant(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                throw new ApiException(400, field + ": " + text + " (expected: an ISO-8601 time like 2026-11-22T03:00:00Z)");
            }
        }
    }

    private JsonNode object(String body, String example, Set<String> fields) {
        JsonNode node;
        try {
            node = body == null || body.isBlank() ? null : json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "body: not JSON (" + e.getOriginalMessage() + "; expected: an object like "
                    + example + ")");
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "body: expected a JSON object like " + example);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!fields.contains(field)) {
                throw new ApiException(400, "unknown field " + field + " (expected: "
                        + String.join(", ", fields.stream().sorted().toList()) + ")");
            }
        }
        return node;
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new ApiException(400, field + ": missing (expected: a string)");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new ApiException(400, field + ": " + v + " (expected: a string)");
        }
        return v.asText();
    }
}
