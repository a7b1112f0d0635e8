package io.tidemark.appliance.config;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every key the appliance accepts and the type of its value. The defaults themselves live in
 * the embedded {@code tidemark-defaults.conf}, which must set every global key here.
 */
public final class ConfigKeys {

    public static final String DATA_DIR = "data.dir";
    public static final String ISCSI_ADDRESS = "iscsi.address";
    public static final String ISCSI_PORT = "iscsi.port";
    public static final String ISCSI_PORTAL_GROUP_TAG = "iscsi.portal-group-tag";
    public static final String ISCSI_ADVERTISED_HOST = "iscsi.advertised-host";
    public static final String ISCSI_IQN_PREFIX = "iscsi.iqn-prefix";
    public static final String ISCSI_QUEUE_DEPTH = "iscsi.queue-depth";
    public static final String ISCSI_WORKER_THREADS = "iscsi.worker-threads";
    public static final String ISCSI_KEEPALIVE_SECONDS = "iscsi.keepalive-seconds";
    public static final String ADMIN_ADDRESS = "admin.address";
    public static final String ADMIN_PORT = "admin.port";
    public static final String ADMIN_TOKEN = "admin.token";
    public static final String DEMO_VOLUME = "demo.volume";
    public static final String DEMO_VOLUME_SIZE = "demo.volume.size";
    public static final String STORE_DIRECT_IO = "store.direct-io";
    public static final String JOURNAL_DURABILITY = "journal.durability";
    public static final String JOURNAL_SYNC_INTERVAL = "journal.sync-interval";
    public static final String JOURNAL_CHECKPOINT_INTERVAL = "journal.checkpoint-interval";
    public static final String JOURNAL_ROLL_PERIOD = "journal.roll-period";
    public static final String JOURNAL_RETENTION = "journal.retention";
    public static final String JOURNAL_SIZE_CAP = "journal.size-cap";
    public static final String JOURNAL_RING_SIZE = "journal.ring-size";
    public static final String JOURNAL_WAIT_STRATEGY = "journal.wait-strategy";
    public static final String APPLIANCE_NAME = "appliance.name";
    public static final String REPLICATION_ADDRESS = "replication.address";
    public static final String REPLICATION_PORT = "replication.port";
    public static final String REPLICATION_BANDWIDTH_LIMIT = "replication.bandwidth-limit";
    public static final String REPLICATION_BATCH_DELAY = "replication.batch-delay";
    public static final String REPLICATION_BATCH_BYTES = "replication.batch-bytes";
    public static final String REPLICATION_COMPRESSION = "replication.compression";
    public static final String REPLICATION_SYNC_TIMEOUT = "replication.sync-timeout";
    public static final String DR_RETENTION = "dr.retention";
    public static final String DR_SIZE_CAP = "dr.size-cap";
    public static final String DR_CHECKPOINT_INTERVAL = "dr.checkpoint-interval";

    public static final String VOLUME_DURABILITY = "durability";

    public static final String TARGET_ALIAS = "alias";
    public static final String TARGET_CHAP_USER = "chap.user";
    public static final String TARGET_CHAP_SECRET = "chap.secret";
    public static final String TARGET_CHAP_MUTUAL_USER = "chap.mutual-user";
    public static final String TARGET_CHAP_MUTUAL_SECRET = "chap.mutual-secret";
    public static final String TARGET_ALLOWED_INITIATORS = "allowed-initiators";

    /** Global keys; each has exactly one line in the embedded defaults. */
    public static final Map<String, ValueType<?>> GLOBAL = Map.ofEntries(
            Map.entry(DATA_DIR, ValueType.PATH),
            Map.entry(ISCSI_ADDRESS, ValueType.HOST_ADDRESS),
            Map.entry(ISCSI_PORT, ValueType.PORT),
            Map.entry(ISCSI_PORTAL_GROUP_TAG, ValueType.PORTAL_GROUP_TAG),
            Map.entry(ISCSI_ADVERTISED_HOST, ValueType.OPTIONAL_HOST),
            Map.entry(ISCSI_IQN_PREFIX, ValueType.IQN),
            Map.entry(ISCSI_QUEUE_DEPTH, ValueType.QUEUE_DEPTH),
            Map.entry(ISCSI_WORKER_THREADS, ValueType.WORKER_THREADS),
            Map.entry(ISCSI_KEEPALIVE_SECONDS, ValueType.KEEPALIVE_SECONDS),
            Map.entry(ADMIN_ADDRESS, ValueType.HOST_ADDRESS),
            Map.entry(ADMIN_PORT, ValueType.PORT),
            Map.entry(ADMIN_TOKEN, ValueType.TEXT),
            Map.entry(DEMO_VOLUME, ValueType.VOLUME_NAME),
            Map.entry(DEMO_VOLUME_SIZE, ValueType.OPTIONAL_VOLUME_SIZE),
            Map.entry(STORE_DIRECT_IO, ValueType.BOOLEAN),
            Map.entry(JOURNAL_DURABILITY, ValueType.DURABILITY),
            Map.entry(JOURNAL_SYNC_INTERVAL, ValueType.SYNC_INTERVAL),
            Map.entry(JOURNAL_CHECKPOINT_INTERVAL, ValueType.CHECKPOINT_INTERVAL),
            Map.entry(JOURNAL_ROLL_PERIOD, ValueType.ROLL_PERIOD),
            Map.entry(JOURNAL_RETENTION, ValueType.RETENTION),
            Map.entry(JOURNAL_SIZE_CAP, ValueType.OPTIONAL_SIZE),
            Map.entry(JOURNAL_RING_SIZE, ValueType.RING_SIZE),
            Map.entry(JOURNAL_WAIT_STRATEGY, ValueType.WAIT_STRATEGY),
            Map.entry(APPLIANCE_NAME, ValueType.OPTIONAL_APPLIANCE_NAME),
            Map.entry(REPLICATION_ADDRESS, ValueType.HOST_ADDRESS),
            Map.entry(REPLICATION_PORT, ValueType.PORT),
            Map.entry(REPLICATION_BANDWIDTH_LIMIT, ValueType.BANDWIDTH),
            Map.entry(REPLICATION_BATCH_DELAY, ValueType.BATCH_DELAY),
            Map.entry(REPLICATION_BATCH_BYTES, ValueType.BATCH_BYTES),
            Map.entry(REPLICATION_COMPRESSION, ValueType.COMPRESSION),
            Map.entry(REPLICATION_SYNC_TIMEOUT, ValueType.SYNC_TIMEOUT),
            Map.entry(DR_RETENTION, ValueType.DR_RETENTION),
            Map.entry(DR_SIZE_CAP, ValueType.OPTIONAL_SIZE),
            Map.entry(DR_CHECKPOINT_INTERVAL, ValueType.DR_CHECKPOINT_INTERVAL));

    /** Keys of the form {@code target.NAME.<key>}: no defaults, a target exists once named. */
    public static final Map<String, ValueType<?>> PER_TARGET = Map.of(
            TARGET_ALIAS, ValueType.ALIAS,
            TARGET_CHAP_USER, ValueType.CHAP_USER,
            TARGET_CHAP_SECRET, ValueType.CHAP_SECRET,
            TARGET_CHAP_MUTUAL_USER, ValueType.CHAP_USER,
            TARGET_CHAP_MUTUAL_SECRET, ValueType.CHAP_SECRET,
            TARGET_ALLOWED_INITIATORS, ValueType.INITIATORS);

    /** Keys of the form {@code volume.NAME.<key>}: overrides of the journal settings for one volume. */
    public static final Map<String, ValueType<?>> PER_VOLUME = Map.of(
            VOLUME_DURABILITY, ValueType.DURABILITY);

    private static final Pattern TARGET_KEY = Pattern.compile("target\\.([^.]+)\\.(.+)");
    private static final Pattern VOLUME_KEY = Pattern.compile("volume\\.([^.]+)\\.(.+)");

    private ConfigKeys() {}

    /** A per-target key split into its target name and sub-key, if the key has that shape. */
    public static Optional<TargetKey> targetKey(String key) {
        Matcher m = TARGET_KEY.matcher(key);
        return m.matches() ? Optional.of(new TargetKey(m.group(1), m.group(2))) : Optional.empty();
    }

    /** A per-volume key split into its volume name and sub-key, if the key has that shape. */
    public static Optional<VolumeKey> volumeKey(String key) {
        Matcher m = VOLUME_KEY.matcher(key);
        return m.matches() ? Optional.of(new VolumeKey(m.group(1), m.group(2))) : Optional.empty();
    }

    /** Values never echoed in messages. */
    public static boolean secret(String key) {
        return key.equals(ADMIN_TOKEN) || key.endsWith("secret");
    }

    public record TargetKey(String target, String subKey) {}

    public record VolumeKey(String volume, String subKey) {}
}
