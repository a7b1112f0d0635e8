package io.tidemark.appliance.config;

import io.tidemark.appliance.config.ApplianceConfig.Chap;
import io.tidemark.appliance.config.ApplianceConfig.Target;
import io.tidemark.appliance.config.ConfigFile.Entry;
import io.tidemark.journal.DurabilityMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds the configuration in three layers: the embedded defaults, then the config file, then
 * command-line flags. Every failure is a {@link ConfigException} naming key, value and origin.
 * The static entry points are thread-safe; an instance is used by one load only.
 */
public final class ConfigLoader {

    public static final String DEFAULTS_RESOURCE = "tidemark-defaults.conf";

    private final Map<String, Setting> global = new HashMap<>();
    private final Map<String, Map<String, Setting>> targets = new TreeMap<>();
    private final Map<String, Map<String, Setting>> volumes = new TreeMap<>();

    private ConfigLoader() {}

    /** A value given by a command-line flag, e.g. {@code --iscsi-port 3261} for {@code iscsi.port}. */
    public record FlagValue(String key, String value, String flag) {}

    /** One accepted value and where it came from. */
    private record Setting(String key, String raw, Origin origin, Object value) {}

    /** @param file the config file, or null for none */
    public static ApplianceConfig load(Path file, List<FlagValue> flags) {
        return load(file == null ? null : read(file), file == null ? null : file.toString(), flags);
    }

    /** @param fileText contents of the config file, or null for none; fileName names it in messages */
    public static ApplianceConfig load(String fileText, String fileName, List<FlagValue> flags) {
        ConfigLoader loader = new ConfigLoader();
        loader.loadDefaults();
        if (fileText != null) {
            Map<String, Origin> seen = new HashMap<>();
            for (Entry e : ConfigFile.parse(fileText, fileName)) {
                Origin earlier = seen.putIfAbsent(e.key(), e.origin());
                if (earlier != null) {
                    throw new ConfigException(e.key() + " set twice in " + fileName + " (lines " + earlier.line()
                            + " and " + e.origin().line() + ")");
                }
                loader.apply(e.key(), e.value(), e.origin());
            }
        }
        for (FlagValue f : flags) {
            loader.apply(f.key(), f.value(), Origin.flag(f.flag()));
        }
        return loader.build();
    }

    /** The embedded defaults file, as the README quotes it. */
    public static String defaultsText() {
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS_RESOURCE + " missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    private void loadDefaults() {
        for (Entry e : ConfigFile.parse(defaultsText(), "embedded " + DEFAULTS_RESOURCE)) {
            apply(e.key(), e.value(), e.origin());
        }
        if (!global.keySet().equals(ConfigKeys.GLOBAL.keySet())) {
            TreeSet<String> missing = new TreeSet<>(ConfigKeys.GLOBAL.keySet());
            missing.removeAll(global.keySet());
            throw new IllegalStateException(DEFAULTS_RESOURCE + " lacks defaults for " + missing);
        }
    }

    private void apply(String key, String raw, Origin origin) {
        ValueType<?> type = ConfigKeys.GLOBAL.get(key);
        if (type != null) {
            global.put(key, new Setting(key, raw, origin, parse(key, raw, origin, type)));
            return;
        }
        ConfigKeys.VolumeKey vk = ConfigKeys.volumeKey(key).orElse(null);
        if (vk != null) {
            applyVolume(key, raw, origin, vk);
            return;
        }
        ConfigKeys.TargetKey tk = ConfigKeys.targetKey(key).orElseThrow(() -> unknownKey(key, origin));
        ValueType<?> subType = ConfigKeys.PER_TARGET.get(tk.subKey());
        if (subType == null) {
            throw unknownKey(key, origin);
        }
        if (!Names.validVolumeName(tk.target())) {
            throw new ConfigException(key + " " + origin.describe() + ": target name " + tk.target()
                    + " (expected: " + Names.VOLUME_EXPECTED + ")");
        }
        targets.computeIfAbsent(tk.target(), t -> new HashMap<>())
                .put(tk.subKey(), new Setting(key, raw, origin, parse(key, raw, origin, subType)));
    }

    private void applyVolume(String key, String raw, Origin origin, ConfigKeys.VolumeKey vk) {
        ValueType<?> subType = ConfigKeys.PER_VOLUME.get(vk.subKey());
        if (subType == null) {
            throw unknownKey(key, origin);
        }
        if (!Names.validVolumeName(vk.volume())) {
            throw new ConfigException(key + " " + origin.describe() + ": volume name " + vk.volume()
                    + " (expected: " + Names.VOLUME_EXPECTED + ")");
        }
        volumes.computeIfAbsent(vk.volume(), v -> new HashMap<>())
                .put(vk.subKey(), new Setting(key, raw, origin, parse(key, raw, origin, subType)));
    }

    private static Object parse(String key, String raw, Origin origin, ValueType<?> type) {
        try {
            return Objects.requireNonNull(type.parse(raw));
        } catch (IllegalArgumentException e) {
            String shown = ConfigKeys.secret(key) ? "<hidden>" : raw;
            throw new ConfigException(key + " = " + shown + " " + origin.describe() + " (expected: " + type.expected() + ")");
        }
    }

    private static ConfigException unknownKey(String key, Origin origin) {
        String hint = nearestKey(key).map(k -> "; did you mean " + k + "?").orElse("");
        return new ConfigException("unknown key " + key + " " + origin.describe()
                + " (expected: a key listed in " + DEFAULTS_RESOURCE + hint + ")");
    }

    private static java.util.Optional<String> nearestKey(String key) {
        String best = null;
        int bestDistance = 4;
        for (String known : ConfigKeys.GLOBAL.keySet()) {
            int d = editDistance(key, known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return java.util.Optional.ofNullable(best);
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    @SuppressWarnings("unchecked")
    private <T> T value(String key) {
        return (T) global.get(key).value();
    }

    private ApplianceConfig build() {
        String advertised = value(ConfigKeys.ISCSI_ADVERTISED_HOST);
        String token = value(ConfigKeys.ADMIN_TOKEN);
        Map<String, Target> built = new TreeMap<>();
        targets.forEach((name, settings) -> built.put(name, target(name, settings)));
        return new ApplianceConfig(
                value(ConfigKeys.DATA_DIR),
                new ApplianceConfig.Iscsi(value(ConfigKeys.ISCSI_ADDRESS), value(ConfigKeys.ISCSI_PORT),
                        value(ConfigKeys.ISCSI_PORTAL_GROUP_TAG), advertised.isEmpty() ? null : advertised,
                        value(ConfigKeys.ISCSI_IQN_PREFIX), value(ConfigKeys.ISCSI_QUEUE_DEPTH),
                        value(ConfigKeys.ISCSI_WORKER_THREADS), value(ConfigKeys.ISCSI_KEEPALIVE_SECONDS)),
                new ApplianceConfig.Admin(value(ConfigKeys.ADMIN_ADDRESS), value(ConfigKeys.ADMIN_PORT),
                        token.isEmpty() ? null : token),
                new ApplianceConfig.Demo(value(ConfigKeys.DEMO_VOLUME), value(ConfigKeys.DEMO_VOLUME_SIZE)),
                new ApplianceConfig.Store(value(ConfigKeys.STORE_DIRECT_IO)),
                journal(),
                built,
                new ApplianceConfig.Replication(applianceName(value(ConfigKeys.APPLIANCE_NAME)),
                        value(ConfigKeys.REPLICATION_ADDRESS), value(ConfigKeys.REPLICATION_PORT),
                        (long) value(ConfigKeys.REPLICATION_BANDWIDTH_LIMIT), value(ConfigKeys.REPLICATION_BATCH_DELAY),
                        (int) value(ConfigKeys.REPLICATION_BATCH_BYTES), value(ConfigKeys.REPLICATION_COMPRESSION),
                        value(ConfigKeys.REPLICATION_SYNC_TIMEOUT)),
                new ApplianceConfig.Dr(value(ConfigKeys.DR_RETENTION), (long) value(ConfigKeys.DR_SIZE_CAP),
                        value(ConfigKeys.DR_CHECKPOINT_INTERVAL)));
    }

    /** The configured name, else this machine's host name made into a valid name ("tidemark" when it has none). */
    static String applianceName(String configured) {
        if (!configured.isEmpty()) {
            return configured;
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "");
        }
        return hostToName(host);
    }

    /** A host name as a valid appliance name: first label, lower case, other characters as '-'. */
    static String hostToName(String host) {
        String cleaned = host.toLowerCase(java.util.Locale.ROOT).replaceFirst("\\..*$", "")
                .replaceAll("[^a-z0-9-]", "-").replaceFirst("^-+", "");
        if (cleaned.length() > 63) {
            cleaned = cleaned.substring(0, 63);
        }
        return Names.validVolumeName(cleaned) ? cleaned : "tidemark";
    }

    private ApplianceConfig.Journal journal() {
        Map<String, DurabilityMode> durability = new TreeMap<>();
        volumes.forEach((name, settings) -> {
            Setting s = settings.get(ConfigKeys.VOLUME_DURABILITY);
            if (s != null) {
                durability.put(name, (DurabilityMode) s.value());
            }
        });
        return new ApplianceConfig.Journal(value(ConfigKeys.JOURNAL_DURABILITY), value(ConfigKeys.JOURNAL_SYNC_INTERVAL),
                value(ConfigKeys.JOURNAL_CHECKPOINT_INTERVAL), value(ConfigKeys.JOURNAL_ROLL_PERIOD),
                value(ConfigKeys.JOURNAL_RETENTION), (long) value(ConfigKeys.JOURNAL_SIZE_CAP),
                (int) value(ConfigKeys.JOURNAL_RING_SIZE), value(ConfigKeys.JOURNAL_WAIT_STRATEGY), durability);
    }

    @SuppressWarnings("unchecked")
    private static Target target(String name, Map<String, Setting> s) {
        requirePair(name, s, ConfigKeys.TARGET_CHAP_USER, ConfigKeys.TARGET_CHAP_SECRET);
        requirePair(name, s, ConfigKeys.TARGET_CHAP_MUTUAL_USER, ConfigKeys.TARGET_CHAP_MUTUAL_SECRET);
        Setting mutualSecret = s.get(ConfigKeys.TARGET_CHAP_MUTUAL_SECRET);
        Setting secret = s.get(ConfigKeys.TARGET_CHAP_SECRET);
        if (mutualSecret != null && secret == null) {
            throw new ConfigException(mutualSecret.key() + " " + mutualSecret.origin().describe()
                    + " needs target." + name + "." + ConfigKeys.TARGET_CHAP_USER + " and "
                    + ConfigKeys.TARGET_CHAP_SECRET + " (expected: mutual CHAP on top of one-way CHAP)");
        }
        if (mutualSecret != null && mutualSecret.raw().equals(secret.raw())) {
            throw new ConfigException(mutualSecret.key() + " " + mutualSecret.origin().describe() + " equals "
                    + secret.key() + " (expected: a different secret for each direction)");
        }
        Chap chap = secret == null ? null : new Chap(raw(s, ConfigKeys.TARGET_CHAP_USER), secret.raw(),
                raw(s, ConfigKeys.TARGET_CHAP_MUTUAL_USER), raw(s, ConfigKeys.TARGET_CHAP_MUTUAL_SECRET));
        Setting alias = s.get(ConfigKeys.TARGET_ALIAS);
        Setting initiators = s.get(ConfigKeys.TARGET_ALLOWED_INITIATORS);
        return new Target(name, alias == null || alias.raw().isEmpty() ? null : alias.raw(), chap,
                initiators == null ? List.of() : (List<String>) initiators.value());
    }

    private static String raw(Map<String, Setting> s, String subKey) {
        Setting setting = s.get(subKey);
        return setting == null ? null : setting.raw();
    }

    private static void requirePair(String target, Map<String, Setting> s, String a, String b) {
        Setting first = s.get(a);
        Setting second = s.get(b);
        if ((first == null) != (second == null)) {
            Setting present = first != null ? first : second;
            String absent = "target." + target + "." + (first != null ? b : a);
            throw new ConfigException(present.key() + " " + present.origin().describe() + " without " + absent
                    + " (expected: both, or neither)");
        }
    }
}
