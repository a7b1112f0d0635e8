package io.tidemark.replicator.link;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The small JSON objects carried by link frames (HELLO, PAIR, REFUSED...). */
final class LinkMessages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LinkMessages() {
    }

    static Frame frame(ByteBufAllocator alloc, LinkFrameType type, Map<String, String> fields) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(fields);
            ByteBuf payload = alloc.buffer(bytes.length);
            payload.writeBytes(bytes);
            return new Frame(type.code, payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("encoding " + type + " as JSON", e);
        }
    }

    static Frame empty(ByteBufAllocator alloc, LinkFrameType type) {
        return new Frame(type.code, alloc.buffer(0));
    }

    /** The payload's JSON object; a frame that does not carry one breaks the protocol. */
    static JsonNode parse(LinkFrameType type, ByteBuf payload) throws FrameException {
        try {
            JsonNode node = JSON.readTree(ByteBufUtil.getBytes(payload));
            if (node == null || !node.isObject()) {
                throw new FrameException(type + " frame: payload is not a JSON object");
            }
            return node;
        } catch (java.io.IOException e) {
            throw new FrameException(type + " frame: payload is not JSON (" + payload.readableBytes() + " bytes)");
        }
    }

    /** A required text field. */
    static String text(LinkFrameType type, JsonNode node, String field) throws FrameException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new FrameException(type + " frame: field '" + field + "' missing or not a string");
        }
        return value.asText();
    }

    static String describe(ByteBuf payload) {
        return payload.toString(payload.readerIndex(), Math.min(payload.readableBytes(), 200), StandardCharsets.UTF_8);
    }
}
