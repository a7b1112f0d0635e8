package io.tidemark.appliance.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.appliance.config.ConfigLoader.FlagValue;
import io.tidemark.journal.DurabilityMode;
import io.tidemark.journal.GroupConfig;
import io.tidemark.journal.WaitStrategyKind;
import java.time.Duration;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    private static final String FILE = "/etc/tidemark.conf";

    private static ApplianceConfig load(String text, FlagValue... flags) {
        return ConfigLoader.load(text, FILE, List.of(flags));
    }

    @Test
    void shouldServeTheDocumentedDefaultsWithoutAFile() {
        ApplianceConfig c = ApplianceConfig.defaults();
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.volumesDir()).isEqualTo(Path.of("./data/volumes"));
        assertThat(c.iscsi()).isEqualTo(new ApplianceConfig.Iscsi("0.0.0.0", 3260, 1, null, "iqn.2026-11.io.tidemark", 128, 0, 30));
        assertThat(c.admin()).isEqualTo(new ApplianceConfig.Admin("127.0.0.1", 9090, null));
        assertThat(c.demo()).isEqualTo(new ApplianceConfig.Demo("demo", 1L << 30));
        assertThat(c.store().directIo()).isFalse();
        assertThat(c.targets()).isEmpty();
        assertThat(c.iscsi().targetIqn("demo")).isEqualTo("iqn.2026-11.io.tidemark:demo");
        assertThat(c.journal()).isEqualTo(new ApplianceConfig.Journal(DurabilityMode.WRITE_BACK, Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofHours(1), Duration.ZERO, 0, 1024, WaitStrategyKind.BACKOFF, Map.of()));
    }

    @Test
    void shouldMatchTheJournalModulesOwnDefaults() {
        ApplianceConfig.Journal j = ApplianceConfig.defaults().journal();
        GroupConfig g = GroupConfig.defaults("v", 1, Path.of("v.journal"));
        assertThat(j.durability()).isEqualTo(g.durability());
        assertThat(j.syncInterval()).isEqualTo(g.syncInterval());
        assertThat(j.checkpointInterval()).isEqualTo(g.checkpointInterval());
        assertThat(j.rollPeriod()).isEqualTo(g.rollPeriod());
        assertThat(j.retention()).isEqualTo(g.retention());
        assertThat(j.sizeCap()).isEqualTo(g.sizeCap());
        assertThat(j.ringSize()).isEqualTo(g.ringSize());
        assertThat(j.waitStrategy()).isEqualTo(g.waitStrategy());
    }

    @Test
    void shouldReadJournalSettingsAndPerVolumeDurability() {
        ApplianceConfig.Journal j = load("""
                journal.durability = write-through
                journal.sync-interval = 0
                journal.checkpoint-interval = 250ms
                journal.roll-period = 7d
                journal.retention = 36h
                journal.size-cap = 20G
                journal.ring-size = 1048576
                journal.wait-strategy = Yielding
                volume.db.durability = write-back
                volume.logs.durability = write-through
                """).journal();
        assertThat(j).isEqualTo(new ApplianceConfig.Journal(DurabilityMode.WRITE_THROUGH, Duration.ZERO,
                Duration.ofMillis(250), Duration.ofDays(7), Duration.ofHours(36), 20L << 30, 1 << 20,
                WaitStrategyKind.YIELDING, Map.of("db", DurabilityMode.WRITE_BACK, "logs", DurabilityMode.WRITE_THROUGH)));
        assertThat(j.durabilityOf("db")).isEqualTo(DurabilityMode.WRITE_BACK);
        assertThat(j.durabilityOf("other")).isEqualTo(DurabilityMode.WRITE_THROUGH);
    }

    @Test
    void shouldRefuseUnknownPerVolumeKeysAndBadVolumeNames() {
        assertThatThrownBy(() -> load("volume.v1.size = 1G\n"))
                .hasMessageStartingWith("config error: unknown key volume.v1.size in " + FILE + " line 1");
        assertThatThrownBy(() -> load("volume.V_1.durability = write-back\n"))
                .hasMessage("config error: volume.V_1.durability in " + FILE
                        + " line 1: volume name V_1 (expected: [a-z0-9][a-z0-9-]{0,62})");
    }

    @Test
    void shouldDocumentEveryKeyWithACommentInTheEmbeddedDefaults() {
        String[] lines = ConfigLoader.defaultsText().split("\n");
        Pattern setting = Pattern.compile("^([a-z.-]+) =.*");
        int documented = 0;
        for (int i = 0; i < lines.length; i++) {
            Matcher m = setting.matcher(lines[i]);
            if (m.matches()) {
                assertThat(ConfigKeys.GLOBAL).containsKey(m.group(1));
                assertThat(lines[i - 1]).as("comment above " + m.group(1)).startsWith("# ");
                documented++;
            }
        }
        assertThat(documented).isEqualTo(ConfigKeys.GLOBAL.size());
        for (String sub : ConfigKeys.PER_TARGET.keySet()) {
            assertThat(ConfigLoader.defaultsText()).contains("# target.NAME." + sub + " = ");
        }
        for (String sub : ConfigKeys.PER_VOLUME.keySet()) {
            assertThat(ConfigLoader.defaultsText()).contains("# volume.NAME." + sub + " = ");
        }
    }

    @Test
    void shouldLetTheFileBeatDefaultsAndFlagsBeatTheFile() {
        ApplianceConfig c = load("""
                # comment
                data.dir = /srv/tidemark
                iscsi.port = 3261

                admin.port=9091
                iscsi.advertised-host = san.example.com
                admin.token = s3cret
                demo.volume.size = 0
                store.direct-io = TRUE
                """, new FlagValue("iscsi.port", "3262", "--iscsi-port"));
        assertThat(c.dataDir()).isEqualTo(Path.of("/srv/tidemark"));
        assertThat(c.iscsi().port()).isEqualTo(3262);
        assertThat(c.admin().port()).isEqualTo(9091);
        assertThat(c.admin().requiredToken()).contains("s3cret");
        assertThat(c.iscsi().advertisedHost()).isEqualTo("san.example.com");
        assertThat(c.demo().sizeBytes()).isZero();
        assertThat(c.store().directIo()).isTrue();
    }

    @Test
    void shouldReadTargetSettings() {
        ApplianceConfig c = load("""
                target.db.alias = Database disks
                target.db.chap.user = esx
                target.db.chap.secret = 0123456789ab
                target.db.chap.mutual-user = tidemark
                target.db.chap.mutual-secret = ba9876543210
                target.db.allowed-initiators = iqn.1998-01.com.vmware:esx1, iqn.1991-05.com.microsoft:win1
                target.open.alias = plain
                """);
        ApplianceConfig.Target db = c.target("db");
        assertThat(db.alias()).isEqualTo("Database disks");
        assertThat(db.chap()).isEqualTo(new ApplianceConfig.Chap("esx", "0123456789ab", "tidemark", "ba9876543210"));
        assertThat(db.allowedInitiators()).containsExactly("iqn.1998-01.com.vmware:esx1", "iqn.1991-05.com.microsoft:win1");
        assertThat(c.target("open").chap()).isNull();
        assertThat(c.target("unnamed")).isEqualTo(ApplianceConfig.Target.open("unnamed"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "iscsi.port | 99999 | 0..65535",
        "iscsi.port | -1 | 0..65535",
        "iscsi.port | http | 0..65535",
        "admin.port | 65536 | 0..65535",
        "iscsi.portal-group-tag | 0 | 1..65535",
        "iscsi.queue-depth | 0 | 1..65536",
        "iscsi.worker-threads | 2000 | 0..1024",
        "iscsi.keepalive-seconds | -1 | 0..3600",
        "iscsi.iqn-prefix | IQN.2026-11.IO.TIDEMARK | iqn.YYYY-MM.reversed.domain",
        "iscsi.iqn-prefix | tidemark | iqn.YYYY-MM.reversed.domain",
        "iscsi.address | not an address | a host name or IP address",
        "demo.volume | Demo_1 | [a-z0-9][a-z0-9-]{0,62}",
        "demo.volume.size | 10X | 0 (none) or a multiple of 512 bytes from 1M to 64T",
        "demo.volume.size | 1000 | 0 (none) or a multiple of 512 bytes from 1M to 64T",
        "demo.volume.size | 128T | 0 (none) or a multiple of 512 bytes from 1M to 64T",
        "store.direct-io | yes | true or false",
        "target.t1.allowed-initiators | esx1 | comma-separated initiator names",
        "target.t1.alias | tab\there | printable text",
        "journal.durability | write-around | write-back or write-through",
        "journal.sync-interval | 1 | 0 (sync only for FUA",
        "journal.sync-interval | 2h | 0 (sync only for FUA",
        "journal.sync-interval | -1s | 0 (sync only for FUA",
        "journal.checkpoint-interval | 0 | 1ms to 1h",
        "journal.checkpoint-interval | 61m | 1ms to 1h",
        "journal.roll-period | 1s | one of 5m, 10m",
        "journal.roll-period | 15m | one of 5m, 10m",
        "journal.roll-period | 60m | one of 5m, 10m",
        "journal.retention | 3651d | 0 (none) to 3650d",
        "journal.retention | forever | 0 (none) to 3650d",
        "journal.size-cap | -1 | 0 (no cap) or bytes",
        "journal.size-cap | 1X | 0 (no cap) or bytes",
        "journal.ring-size | 0 | a power of two, 2..1048576",
        "journal.ring-size | 1 | a power of two, 2..1048576",
        "journal.ring-size | 1000 | a power of two, 2..1048576",
        "journal.ring-size | 2097152 | a power of two, 2..1048576",
        "journal.wait-strategy | busy-spin | backoff, blocking, sleeping or yielding",
        "volume.v1.durability | sync | write-back or write-through",
        "appliance.name | DR_Site | empty (this machine's host name) or",
        "replication.address | not an address | a host name or IP address",
        "replication.port | 70000 | 0..65535",
        "replication.bandwidth-limit | fast | 0 (unlimited) or bytes per second",
        "replication.batch-delay | 11s | 0 to 10s",
        "replication.batch-bytes | 1K | 4K to 8M",
        "replication.batch-bytes | 9M | 4K to 8M",
        "replication.compression | lz4 | zstd or none",
        "replication.sync-timeout | 0 | 10ms to 1h",
        "dr.retention | 0 | 1s to 3650d",
        "dr.size-cap | lots | 0 (no cap) or bytes",
        "dr.checkpoint-interval | 1ms | 10ms to 1h",
    })
    void shouldRefuseABadValueNamingKeyValueFileAndLine(String key, String value, String expected) {
        String text = "# first\n\n" + key + " = " + value + "\n";
        assertThatThrownBy(() -> load(text))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config error: " + key + " = " + value + " in " + FILE + " line 3 (expected: "
                        + expectedText(key, expected) + ")");
    }

    private static String expectedText(String key, String start) {
        ConfigKeys.TargetKey tk = ConfigKeys.targetKey(key).orElse(null);
        ConfigKeys.VolumeKey vk = ConfigKeys.volumeKey(key).orElse(null);
        ValueType<?> type = vk != null ? ConfigKeys.PER_VOLUME.get(vk.subKey())
                : tk == null ? ConfigKeys.GLOBAL.get(key) : ConfigKeys.PER_TARGET.get(tk.subKey());
        assertThat(type.expected()).startsWith(start);
        return type.expected();
    }

    @Test
    void shouldServeTheDocumentedReplicationAndDrDefaults() {
        ApplianceConfig c = ApplianceConfig.defaults();
        ApplianceConfig.Replication r = c.replication();
        assertThat(Names.validVolumeName(r.name())).as("appliance name " + r.name()).isTrue();
        assertThat(r).isEqualTo(new ApplianceConfig.Replication(r.name(), "0.0.0.0", 3270, 0, Duration.ofMillis(5),
                1 << 20, "zstd", Duration.ofSeconds(5)));
        assertThat(c.dr()).isEqualTo(new ApplianceConfig.Dr(Duration.ofHours(24), 0, Duration.ofSeconds(1)));
        assertThat(c.groupsDir()).isEqualTo(Path.of("./data/groups"));
        assertThat(c.replicasDir()).isEqualTo(Path.of("./data/replicas"));
    }

    @Test
    void shouldReadReplicationSettingsAndTheReplicationPortFlag() {
        ApplianceConfig c = load("""
                appliance.name = dr-site
                replication.port = 3271
                replication.bandwidth-limit = 100M/s
                replication.batch-delay = 0
                replication.batch-bytes = 4M
                replication.compression = NONE
                replication.sync-timeout = 250ms
                dr.retention = 2h
                dr.size-cap = 10G
                dr.checkpoint-interval = 5s
                """, new FlagValue("replication.port", "3272", "--replication-port"));
        assertThat(c.replication()).isEqualTo(new ApplianceConfig.Replication("dr-site", "0.0.0.0", 3272, 100L << 20,
                Duration.ZERO, 4 << 20, "none", Duration.ofMillis(250)));
        assertThat(c.dr()).isEqualTo(new ApplianceConfig.Dr(Duration.ofHours(2), 10L << 30, Duration.ofSeconds(5)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"DR1.example.com, dr1", "_weird_, weird-", "'', tidemark", "---, tidemark"})
    void shouldMakeAValidApplianceNameOfTheHostName(String host, String expected) {
        assertThat(ConfigLoader.applianceName("") ).matches(Names.VOLUME.pattern());
        assertThat(ConfigLoader.hostToName(host)).isEqualTo(expected);
    }

    @Test
    void shouldRefuseABadFlagNamingTheFlag() {
        assertThatThrownBy(() -> load(null, new FlagValue("admin.port", "x", "--admin-port")))
                .hasMessage("config error: admin.port = x in flag --admin-port (expected: 0..65535)");
    }

    @Test
    void shouldRefuseAnUnknownKeySuggestingTheNearestOne() {
        assertThatThrownBy(() -> load("iscsi.prot = 3260\n"))
                .hasMessage("config error: unknown key iscsi.prot in " + FILE
                        + " line 1 (expected: a key listed in tidemark-defaults.conf; did you mean iscsi.port?)");
        assertThatThrownBy(() -> load("\nwhatever.this.is = 1\n"))
                .hasMessage("config error: unknown key whatever.this.is in " + FILE
                        + " line 2 (expected: a key listed in tidemark-defaults.conf)");
        assertThatThrownBy(() -> load("target.t1.chap.password = x\n"))
                .hasMessageStartingWith("config error: unknown key target.t1.chap.password in " + FILE + " line 1");
    }

    @Test
    void shouldRefuseABadTargetName() {
        assertThatThrownBy(() -> load("target.T_1.alias = x\n"))
                .hasMessage("config error: target.T_1.alias in " + FILE
                        + " line 1: target name T_1 (expected: [a-z0-9][a-z0-9-]{0,62})");
    }

    @Test
    void shouldRefuseALineWithoutEquals() {
        assertThatThrownBy(() -> load("data.dir = x\niscsi.port 3260\n"))
                .hasMessage("config error: \"iscsi.port 3260\" in " + FILE + " line 2 (expected: key = value)");
    }

    @Test
    void shouldRefuseAKeySetTwice() {
        assertThatThrownBy(() -> load("iscsi.port = 1\nadmin.port = 2\niscsi.port = 3\n"))
                .hasMessage("config error: iscsi.port set twice in " + FILE + " (lines 1 and 3)");
    }

    @Test
    void shouldNeverEchoSecrets() {
        assertThatThrownBy(() -> load("target.t.chap.user = u\ntarget.t.chap.secret = short\n"))
                .hasMessage("config error: target.t.chap.secret = <hidden> in " + FILE
                        + " line 2 (expected: 12 to 255 printable characters)");
    }

    @Test
    void shouldRefuseChapUserWithoutSecret() {
        assertThatThrownBy(() -> load("target.t.chap.user = u\n"))
                .hasMessage("config error: target.t.chap.user in " + FILE
                        + " line 1 without target.t.chap.secret (expected: both, or neither)");
        assertThatThrownBy(() -> load("target.t.chap.secret = 0123456789ab\n"))
                .hasMessage("config error: target.t.chap.secret in " + FILE
                        + " line 1 without target.t.chap.user (expected: both, or neither)");
    }

    @Test
    void shouldRefuseMutualChapWithoutOneWayChap() {
        assertThatThrownBy(() -> load("target.t.chap.mutual-user = m\ntarget.t.chap.mutual-secret = 0123456789ab\n"))
                .hasMessageStartingWith("config error: target.t.chap.mutual-secret in " + FILE
                        + " line 2 needs target.t.chap.user and chap.secret");
    }

    @Test
    void shouldRefuseTheSameSecretInBothDirections() {
        assertThatThrownBy(() -> load("""
                target.t.chap.user = u
                target.t.chap.secret = 0123456789ab
                target.t.chap.mutual-user = m
                target.t.chap.mutual-secret = 0123456789ab
                """))
                .hasMessage("config error: target.t.chap.mutual-secret in " + FILE
                        + " line 4 equals target.t.chap.secret (expected: a different secret for each direction)");
    }

    @Test
    void shouldNameAMissingConfigFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.conf");
        assertThatThrownBy(() -> ConfigLoader.load(missing, List.of()))
                .hasMessage("config error: config file " + missing + " does not exist");
    }

    @Test
    void shouldReadARealFileAndNameItInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tidemark.conf");
        Files.writeString(file, "iscsi.port = 3270\n");
        assertThat(ConfigLoader.load(file, List.of()).iscsi().port()).isEqualTo(3270);
        Files.writeString(file, "iscsi.port = 3270\nadmin.port = 99999\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
                .hasMessage("config error: admin.port = 99999 in " + file + " line 2 (expected: 0..65535)");
    }
}
