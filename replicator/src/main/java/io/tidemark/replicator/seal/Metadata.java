package io.tidemark.replicator.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The payload of a METADATA record: a UTF-8 JSON object with a {@code "kind"}.
 * <ul>
 * <li>{@code {"kind":"checkpoint","name":N}}: a named checkpoint (recovery point);
 * <li>{@code {"kind":"sync-start","bytes":TOTAL}}: a full (initial or re-) sync begins; the DR
 *     holds no consistent point until the matching sync-complete;
 * <li>{@code {"kind":"sync-complete"}}: every block of every volume was shipped since sync-start.
 * </ul>
 * Other kinds (recovery plans later) parse with their kind and {@link #json()}; readers skip
 * kinds they don't know. Immutable.
 *
 * @param kind  the kind
 * @param name  checkpoint name, else null
 * @param bytes sync-start total bytes, else 0
 * @param json  the whole object as received or built
 */
public record Metadata(String kind, String name, long bytes, String json) {

    public static final String CHECKPOINT = "checkpoint";
    public static final String SYNC_START = "sync-start";
    public static final String SYNC_COMPLETE = "sync-complete";
    /** Longest METADATA payload the journal takes. */
    public static final int MAX_LENGTH = 64 * 1024;
    /** Longest checkpoint name. */
    public static final int MAX_NAME_LENGTH = 256;

    private static final ObjectMapper JSON = new ObjectMapper();

    public Metadata {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(json, "json");
    }

    /** A named checkpoint. */
    public static Metadata checkpoint(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("checkpoint name length: " + (name == null ? "null" : name.length())
                    + " (expected: 1.." + MAX_NAME_LENGTH + ")");
        }
        ObjectNode o = JSON.createObjectNode().put("kind", CHECKPOINT).put("name", name);
        return new Metadata(CHECKPOINT, name, 0, o.toString());
    }

    /** Start of a full sync of {@code totalBytes} bytes (all volumes). */
    public static Metadata syncStart(long totalBytes) {
        ObjectNode o = JSON.createObjectNode().put("kind", SYNC_START).put("bytes", totalBytes);
        return new Metadata(SYNC_START, null, totalBytes, o.toString());
    }

    /** End of the full sync that began at the last sync-start. */
    public static Metadata syncComplete() {
        ObjectNode o = JSON.createObjectNode().put("kind", SYNC_COMPLETE);
        return new Metadata(SYNC_COMPLETE, null, 0, o.toString());
    }

    /**
     * Parses a METADATA payload (position to limit, left unchanged).
     *
     * @throws IllegalArgumentException when it is not a JSON object with a string "kind"
     */
    public static Metadata parse(ByteBuffer payload) {
        ByteBuffer p = payload.duplicate();
        byte[] bytes = new byte[p.remaining()];
        p.get(bytes);
        return parse(bytes);
    }

    /** As {@link #parse(ByteBuffer)}. */
    public static Metadata parse(byte[] payload) {
        if (payload.length > MAX_LENGTH) {
            throw new IllegalArgumentException("metadata length: " + payload.length + " (expected: <= " + MAX_LENGTH + ")");
        }
        JsonNode node;
        try {
            node = JSON.readTree(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("metadata is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (node == null || !node.isObject() || !node.path("kind").isTextual()) {
            throw new IllegalArgumentException("metadata: " + abbreviate(payload)
                    + " (expected: a JSON object with a string \"kind\")");
        }
        String kind = node.get("kind").asText();
        String name = node.path("name").isTextual() ? node.get("name").asText() : null;
        long bytes = node.path("bytes").asLong(0);
        if (CHECKPOINT.equals(kind) && (name == null || name.isEmpty())) {
            throw new IllegalArgumentException("checkpoint metadata without a name: " + abbreviate(payload));
        }
        return new Metadata(kind, name, bytes, new String(payload, StandardCharsets.UTF_8));
    }

    /** The UTF-8 JSON payload to journal. */
    public byte[] toBytes() {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    public boolean isCheckpoint() {
        return CHECKPOINT.equals(kind);
    }

    public boolean isSyncStart() {
        return SYNC_START.equals(kind);
    }

    public boolean isSyncComplete() {
        return SYNC_COMPLETE.equals(kind);
    }

    private static String abbreviate(byte[] payload) {
        String s = new String(payload, 0, Math.min(payload.length, 80), StandardCharsets.UTF_8);
        return payload.length > 80 ? s + "..." : s;
    }
}
