package io.tidemark.appliance.config;

import io.tidemark.journal.DurabilityMode;
import io.tidemark.journal.WaitStrategyKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration of one appliance, validated.
 *
 * @param dataDir  root of the volume files
 * @param iscsi    the portal
 * @param admin    the REST API
 * @param demo     the demo volume made on an empty data dir
 * @param store    how volume files are opened
 * @param journal  how every volume's journal is run
 * @param targets  settings of targets named in the configuration, by target name
 * @param replication the replication link and shipping ({@code appliance.name}, {@code replication.*})
 * @param dr       the DR history kept for groups replicated to this appliance ({@code dr.*})
 */
public record ApplianceConfig(Path dataDir, Iscsi iscsi, Admin admin, Demo demo, Store store, Journal journal,
                              Map<String, Target> targets, Replication replication, Dr dr) {

    public ApplianceConfig {
        targets = Map.copyOf(targets);
    }

    /** The embedded defaults alone. */
    public static ApplianceConfig defaults() {
        return ConfigLoader.load(null, List.of());
    }

    public Path volumesDir() {
        return dataDir.resolve("volumes");
    }

    /** {@code GROUP.json}, {@code GROUP.journal/}, {@code GROUP.key} of the groups whose volumes are served here. */
    public Path groupsDir() {
        return dataDir.resolve("groups");
    }

    /** This appliance's key pair and certificate. */
    public Path identityDir() {
        return dataDir.resolve("identity");
    }

    /** The pinned peers. */
    public Path peersDir() {
        return dataDir.resolve("peers");
    }

    /** The DR histories of groups replicated to this appliance, one directory per group. */
    public Path replicasDir() {
        return dataDir.resolve("replicas");
    }

    /**
     * @param name           appliance.name, resolved (the host name when the key is empty)
     * @param bandwidthLimit bytes per second per peer; 0: unlimited
     * @param compression    "zstd" or "none"
     */
    public record Replication(String name, String address, int port, long bandwidthLimit, Duration batchDelay,
                              int batchBytes, String compression, Duration syncTimeout) {}

    /** @param sizeCap bytes of history per group; 0: no cap */
    public record Dr(Duration retention, long sizeCap, Duration checkpointInterval) {}

    /** Settings of target NAME, or a plain open target when the configuration does not name it. */
    public Target target(String name) {
        return targets.getOrDefault(name, Target.open(name));
    }

    /**
     * @param advertisedHost   host for SendTargets and URLs; null: the bound or a local address
     * @param queueDepth       commands in flight per session (the CmdSN window)
     * @param workerThreads    threads running SCSI commands; 0: the iSCSI server's default
     * @param keepaliveSeconds idle seconds before a NOP-In ping; 0: no pings
     */
    public record Iscsi(String address, int port, int portalGroupTag, String advertisedHost, String iqnPrefix,
                        int queueDepth, int workerThreads, int keepaliveSeconds) {

        public String targetIqn(String targetName) {
            return iqnPrefix + ":" + targetName;
        }
    }

    /** @param token bearer token the API requires; null: no authentication */
    public record Admin(String address, int port, String token) {

        public Optional<String> requiredToken() {
            return Optional.ofNullable(token);
        }
    }

    /** @param sizeBytes 0: no demo volume */
    public record Demo(String volume, long sizeBytes) {}

    public record Store(boolean directIo) {}

    /**
     * The {@code journal.*} keys, applied to each volume's own consistency group.
     *
     * @param durability         journal.durability, for volumes without a {@code volume.NAME.durability}
     * @param syncInterval       journal.sync-interval (zero: sync only for FUA and SYNCHRONIZE CACHE)
     * @param checkpointInterval journal.checkpoint-interval
     * @param rollPeriod         journal.roll-period
     * @param retention          journal.retention
     * @param sizeCap            journal.size-cap in bytes (0: none)
     * @param ringSize           journal.ring-size
     * @param waitStrategy       journal.wait-strategy
     * @param volumeDurability   volume.NAME.durability overrides, by volume name
     */
    public record Journal(DurabilityMode durability, Duration syncInterval, Duration checkpointInterval,
                          Duration rollPeriod, Duration retention, long sizeCap, int ringSize,
                          WaitStrategyKind waitStrategy, Map<String, DurabilityMode> volumeDurability) {

        public Journal {
            volumeDurability = Map.copyOf(volumeDurability);
        }

        /** The durability of volume NAME: its own override, else journal.durability. */
        public DurabilityMode durabilityOf(String volume) {
            return volumeDurability.getOrDefault(volume, durability);
        }
    }

    /**
     * @param alias             TargetAlias; null for none
     * @param chap              null for AuthMethod=None
     * @param allowedInitiators empty: every initiator
     */
    public record Target(String name, String alias, Chap chap, List<String> allowedInitiators) {

        public Target {
            allowedInitiators = List.copyOf(allowedInitiators);
        }

        public static Target open(String name) {
            return new Target(name, null, null, List.of());
        }
    }

    /** @param mutualUser and mutualSecret null unless mutual CHAP is configured */
    public record Chap(String user, String secret, String mutualUser, String mutualSecret) {

        @Override
        public String toString() {
            return "Chap[user=" + user + ", mutualUser=" + mutualUser + "]";
        }
    }
}
