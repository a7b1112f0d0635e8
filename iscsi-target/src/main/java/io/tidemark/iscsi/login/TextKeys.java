package io.tidemark.iscsi.login;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Text key=value pairs as carried in Login and Text PDUs (RFC 7143 section 6.1): UTF-8,
 * each pair terminated by a NUL byte. Keys keep the order the peer sent them in.
 */
public final class TextKeys {

    /** RFC 7143 section 6.1: keys are at most 63 bytes. */
    public static final int MAX_KEY_LENGTH = 63;

    private TextKeys() {}

    /** A malformed text segment: the peer gets a protocol-level error. */
    public static final class MalformedTextException extends Exception {
        public MalformedTextException(String message) {
            super(message, null, false, false);
        }
    }

    public static Map<String, String> parse(ByteBuf data) throws MalformedTextException {
        return parse(data.toString(data.readerIndex(), data.readableBytes(), StandardCharsets.UTF_8));
    }

    public static Map<String, String> parse(String text) throws MalformedTextException {
        Map<String, String> keys = new LinkedHashMap<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\0', start);
            if (end < 0) {
                end = text.length();
            }
            String pair = text.substring(start, end);
            start = end + 1;
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new MalformedTextException("text pair without key=value: '" + abbreviate(pair) + "'");
            }
            String key = pair.substring(0, eq);
            if (key.length() > MAX_KEY_LENGTH) {
                throw new MalformedTextException("key length: " + key.length() + " (expected: 1.." + MAX_KEY_LENGTH + ")");
            }
            if (keys.putIfAbsent(key, pair.substring(eq + 1)) != null) {
                throw new MalformedTextException("key " + key + " sent twice");
            }
        }
        return keys;
    }

    public static ByteBuf encode(ByteBufAllocator alloc, Map<String, String> keys) {
        ByteBuf out = alloc.buffer();
        keys.forEach((k, v) -> {
            out.writeCharSequence(k, StandardCharsets.UTF_8);
            out.writeByte('=');
            out.writeCharSequence(v, StandardCharsets.UTF_8);
            out.writeByte(0);
        });
        return out;
    }

    /** Encodes pairs in order; unlike a map, a key may repeat (SendTargets answers). */
    public static ByteBuf encodePairs(ByteBufAllocator alloc, java.util.List<Map.Entry<String, String>> pairs) {
        ByteBuf out = alloc.buffer();
        for (Map.Entry<String, String> e : pairs) {
            out.writeCharSequence(e.getKey(), StandardCharsets.UTF_8);
            out.writeByte('=');
            out.writeCharSequence(e.getValue(), StandardCharsets.UTF_8);
            out.writeByte(0);
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
