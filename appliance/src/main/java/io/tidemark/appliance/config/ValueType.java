package io.tidemark.appliance.config;

import io.tidemark.journal.DurabilityMode;
import io.tidemark.journal.WaitStrategyKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How the text of one key becomes a value, and what the operator is told when it cannot.
 *
 * @param expected shown after the bad value: "(expected: 1..65535)"
 * @param parser   throws IllegalArgumentException when the text is not acceptable
 */
public record ValueType<T>(String expected, Function<String, T> parser) {

    private static final Pattern IQN_PREFIX = Pattern.compile("iqn\\.\\d{4}-\\d{2}\\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[a-z0-9.-]+)*");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]%_-]+");
    private static final Pattern INITIATOR = Pattern.compile("(iqn\\.\\d{4}-\\d{2}\\.\\S+|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16,32})");

    public static final ValueType<Integer> PORT = intRange(0, 65535, "0..65535");
    public static final ValueType<Integer> PORTAL_GROUP_TAG = intRange(1, 65535, "1..65535");
    public static final ValueType<Integer> QUEUE_DEPTH = intRange(1, 65536, "1..65536");
    public static final ValueType<Integer> WORKER_THREADS = intRange(0, 1024, "0..1024 (0: 4 per core)");
    public static final ValueType<Integer> KEEPALIVE_SECONDS = intRange(0, 3600, "0..3600 (0: no pings)");
    public static final ValueType<Boolean> BOOLEAN = new ValueType<>("true or false", ValueType::parseBoolean);
    public static final ValueType<Path> PATH = new ValueType<>("a directory path", text -> Path.of(nonEmpty(text)));
    public static final ValueType<String> HOST_ADDRESS = new ValueType<>("a host name or IP address",
            text -> matching(HOST, text));
    public static final ValueType<String> OPTIONAL_HOST = new ValueType<>("empty, or a host name or IP address",
            text -> text.isEmpty() ? "" : matching(HOST, text));
    public static final ValueType<String> IQN = new ValueType<>(
            "iqn.YYYY-MM.reversed.domain in lower case, e.g. iqn.2026-11.io.tidemark", text -> matching(IQN_PREFIX, text));
    public static final ValueType<String> VOLUME_NAME = new ValueType<>(Names.VOLUME_EXPECTED,
            text -> matching(Names.VOLUME, text));
    public static final ValueType<Long> OPTIONAL_VOLUME_SIZE = new ValueType<>("0 (none) or " + Names.SIZE_EXPECTED,
            ValueType::optionalVolumeSize);
    public static final ValueType<String> TEXT = new ValueType<>("any text", text -> text);
    public static final ValueType<String> ALIAS = new ValueType<>("printable text up to 255 characters",
            text -> printable(text, 0, 255));
    public static final ValueType<String> CHAP_USER = new ValueType<>("printable text of 1 to 255 characters",
            text -> printable(text, 1, 255));
    /** RFC 7143 12.1.3 wants at least 96-bit secrets; Windows initiators insist on 12..16 characters. */
    public static final ValueType<String> CHAP_SECRET = new ValueType<>("12 to 255 printable characters",
            text -> printable(text, 12, 255));
    public static final ValueType<List<String>> INITIATORS = new ValueType<>(
            "comma-separated initiator names (iqn.*, eui.* or naa.*)", ValueType::initiators);

    /** journal.durability and volume.NAME.durability, by their config spelling. */
    private static final Map<String, DurabilityMode> DURABILITIES = Map.of(
            "write-back", DurabilityMode.WRITE_BACK,
            "write-through", DurabilityMode.WRITE_THROUGH);
    private static final Map<String, WaitStrategyKind> WAIT_STRATEGIES = Map.of(
            "backoff", WaitStrategyKind.BACKOFF,
            "blocking", WaitStrategyKind.BLOCKING,
            "sleeping", WaitStrategyKind.SLEEPING,
            "yielding", WaitStrategyKind.YIELDING);
    /** The journal's cycle lengths an operator may pick (the journal module also has 1s, for its own tests). */
    private static final Map<String, Duration> ROLL_PERIODS = Map.of(
            "5m", Duration.ofMinutes(5), "10m", Duration.ofMinutes(10), "20m", Duration.ofMinutes(20),
            "30m", Duration.ofMinutes(30), "1h", Duration.ofHours(1), "2h", Duration.ofHours(2),
            "4h", Duration.ofHours(4), "6h", Duration.ofHours(6), "1d", Duration.ofDays(1), "7d", Duration.ofDays(7));
    private static final int MAX_RING_SIZE = 1 << 20;

    public static final ValueType<DurabilityMode> DURABILITY = new ValueType<>("write-back or write-through",
            text -> lookUp(DURABILITIES, text));
    public static final ValueType<WaitStrategyKind> WAIT_STRATEGY = new ValueType<>(
            "backoff, blocking, sleeping or yielding", text -> lookUp(WAIT_STRATEGIES, text));
    public static final ValueType<Duration> ROLL_PERIOD = new ValueType<>(
            "one of 5m, 10m, 20m, 30m, 1h, 2h, 4h, 6h, 1d, 7d", text -> lookUp(ROLL_PERIODS, text));
    public static final ValueType<Duration> SYNC_INTERVAL = durationRange(Duration.ZERO, Duration.ofHours(1),
            "0 (sync only for FUA and SYNCHRONIZE CACHE) to 1h, e.g. 1s or 200ms");
    public static final ValueType<Duration> CHECKPOINT_INTERVAL = durationRange(Duration.ofMillis(1),
            Duration.ofHours(1), "1ms to 1h, e.g. 5s");
    public static final ValueType<Duration> RETENTION = durationRange(Duration.ZERO, Duration.ofDays(3650),
            "0 (none) to 3650d, e.g. 24h");
    public static final ValueType<Long> OPTIONAL_SIZE = new ValueType<>("0 (no cap) or " + Sizes.EXPECTED,
            Sizes::parse);
    public static final ValueType<Integer> RING_SIZE = new ValueType<>("a power of two, 2..1048576",
            ValueType::ringSize);

    /** Batches of 4K..8M: well under the 16 MiB frame limit, as the shipper requires. */
    public static final ValueType<Integer> BATCH_BYTES = new ValueType<>("4K to 8M, e.g. 1M", ValueType::batchBytes);
    public static final ValueType<Long> BANDWIDTH = new ValueType<>(
            "0 (unlimited) or bytes per second with K/M/G suffixes, e.g. 100M", ValueType::bandwidth);
    public static final ValueType<Duration> BATCH_DELAY = durationRange(Duration.ZERO, Duration.ofSeconds(10),
            "0 to 10s, e.g. 5ms");
    public static final ValueType<Duration> SYNC_TIMEOUT = durationRange(Duration.ofMillis(10), Duration.ofHours(1),
            "10ms to 1h, e.g. 5s");
    public static final ValueType<String> COMPRESSION = new ValueType<>("zstd or none",
            text -> lookUp(Map.of("zstd", "zstd", "none", "none"), text));
    public static final ValueType<Duration> DR_RETENTION = durationRange(Duration.ofSeconds(1), Duration.ofDays(3650),
            "1s to 3650d, e.g. 24h");
    public static final ValueType<Duration> DR_CHECKPOINT_INTERVAL = durationRange(Duration.ofMillis(10),
            Duration.ofHours(1), "10ms to 1h, e.g. 1s");
    public static final ValueType<String> OPTIONAL_APPLIANCE_NAME = new ValueType<>(
            "empty (this machine's host name) or " + Names.VOLUME_EXPECTED,
            text -> text.isEmpty() ? "" : matching(Names.VOLUME, text));

    /** The value, or IllegalArgumentException when the text does not fit. */
    public T parse(String text) {
        return parser.apply(text);
    }

    private static ValueType<Integer> intRange(int min, int max, String expected) {
        return new ValueType<>(expected, text -> {
            int v = Integer.parseInt(text);
            if (v < min || v > max) {
                throw new IllegalArgumentException();
            }
            return v;
        });
    }

    private static ValueType<Duration> durationRange(Duration min, Duration max, String expected) {
        return new ValueType<>(expected, text -> {
            Duration d = Durations.parse(text);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException();
            }
            return d;
        });
    }

    private static <V> V lookUp(Map<String, V> table, String text) {
        V v = table.get(text.toLowerCase(Locale.ROOT));
        if (v == null) {
            throw new IllegalArgumentException();
        }
        return v;
    }

    private static Integer ringSize(String text) {
        int v = Integer.parseInt(text);
        if (v < 2 || v > MAX_RING_SIZE || Integer.bitCount(v) != 1) {
            throw new IllegalArgumentException();
        }
        return v;
    }

    private static Integer batchBytes(String text) {
        long v = Sizes.parse(text);
        if (v < 4096 || v > (8 << 20)) {
            throw new IllegalArgumentException();
        }
        return (int) v;
    }

    private static Long bandwidth(String text) {
        String t = text.trim();
        // "100M/s" reads naturally too
        if (t.endsWith("/s")) {
            t = t.substring(0, t.length() - 2);
        }
        return Sizes.parse(t);
    }

    private static Boolean parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException();
        };
    }

    private static String nonEmpty(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException();
        }
        return text;
    }

    private static String matching(Pattern p, String text) {
        if (!p.matcher(text).matches()) {
            throw new IllegalArgumentException();
        }
        return text;
    }

    private static String printable(String text, int min, int max) {
        if (text.length() < min || text.length() > max || !text.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException();
        }
        return text;
    }

    private static Long optionalVolumeSize(String text) {
        long size = Sizes.parse(text);
        if (size != 0 && !Names.validVolumeSize(size)) {
            throw new IllegalArgumentException();
        }
        return size;
    }

    private static List<String> initiators(String text) {
        if (text.isBlank()) {
            return List.of();
        }
        List<String> names = Arrays.stream(text.split(",")).map(String::trim).toList();
        names.forEach(n -> matching(INITIATOR, n));
        return names;
    }
}
