package io.tidemark.appliance.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.appliance.config.Sizes;
import java.util.Iterator;
import java.util.Set;

/** Reads volume request bodies, refusing anything unexpected with a reason naming the field. */
final class VolumeRequests {

    /** POST /api/v1/volumes. */
    record Create(String name, long sizeBytes, String target, Integer lun) {}

    private static final Set<String> CREATE_FIELDS = Set.of("name", "size", "target", "lun");
    private static final Set<String> RESIZE_FIELDS = Set.of("size");

    private final ObjectMapper json;

    VolumeRequests(ObjectMapper json) {
        this.json = json;
    }

    Create create(String body) {
        JsonNode node = object(body, "{\"name\":\"v1\",\"size\":\"10G\"}", CREATE_FIELDS);
        return new Create(text(node, "name", true), size(node), text(node, "target", false), lun(node));
    }

    long resize(String body) {
        return size(object(body, "{\"size\":\"20G\"}", RESIZE_FIELDS));
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
                throw new ApiException(400, "unknown field " + field + " (expected: " + String.join(", ",
                        fields.stream().sorted().toList()) + ")");
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

    private static long size(JsonNode node) {
        JsonNode v = node.get("size");
        if (v == null || v.isNull()) {
            throw new ApiException(400, "size: missing (expected: " + Sizes.EXPECTED + ")");
        }
        if (v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0) {
            return v.asLong();
        }
        if (v.isTextual()) {
            try {
                return Sizes.parse(v.asText());
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, e.getMessage());
            }
        }
        throw new ApiException(400, "size: " + v + " (expected: " + Sizes.EXPECTED + ")");
    }

    private static Integer lun(JsonNode node) {
        JsonNode v = node.get("lun");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ApiException(400, "lun: " + v + " (expected: 0..16383)");
        }
        return v.asInt();
    }
}
