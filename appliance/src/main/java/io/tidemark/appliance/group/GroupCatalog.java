package io.tidemark.appliance.group;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tidemark.appliance.config.Names;
import io.tidemark.appliance.volume.VolumeCatalog;
import io.tidemark.appliance.volume.VolumeException;
import io.tidemark.appliance.volume.VolumeException.Reason;
import io.tidemark.appliance.volume.VolumeMetadata;
import io.tidemark.journal.ConsistencyGroup;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consistency groups of this (primary) appliance, persisted as {@code groups/GROUP.json}.
 * {@link #load} reads them before the volumes open, so that {@link GroupedStorage} serves their
 * members over the shared journals; {@link #create} moves served volumes into a new group.
 * Thread-safe: changes are serialized on the catalog.
 */
public final class GroupCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCatalog.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final GroupedStorage storage;
    private final Map<String, GroupMetadata> groups = new TreeMap<>();
    private VolumeCatalog volumes;

    private GroupCatalog(Path dir, GroupedStorage storage) {
        this.dir = dir;
        this.storage = storage;
    }

    /** Reads every {@code GROUP.json} in {@code dir} (created if missing) and registers its members with {@code storage}. */
    public static GroupCatalog load(Path dir, GroupedStorage storage) throws IOException {
        Files.createDirectories(dir);
        GroupCatalog catalog = new GroupCatalog(dir, storage);
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, "*" + GroupFiles.METADATA_SUFFIX)) {
            found.forEach(files::add);
        }
        files.sort(null);
        for (Path file : files) {
            GroupMetadata meta;
            try {
                meta = JSON.readValue(file.toFile(), GroupMetadata.class);
            } catch (IOException e) {
                throw new IOException("group metadata " + file + " is unreadable: " + e.getMessage(), e);
            }
            String expected = file.getFileName().toString().replaceFirst("\\.json$", "");
            if (!expected.equals(meta.name()) || meta.volumes().isEmpty()) {
                throw new IOException("group metadata " + file + " names group " + meta.name() + " with "
                        + meta.volumes().size() + " volume(s) (expected: group " + expected + " with at least one)");
            }
            storage.join(meta);
            catalog.groups.put(meta.name(), meta);
        }
        return catalog;
    }

    /** The served volumes, once open (groups are loaded before them). */
    public synchronized void attach(VolumeCatalog catalog) {
        this.volumes = catalog;
        for (GroupMetadata g : groups.values()) {
            if (storage.group(g.name()).isEmpty()) {
                LOG.warn("group {}: none of its volumes {} is served; its journal stays closed", g.name(),
                        g.volumeNames());
            }
        }
    }

    public Path directory() {
        return dir;
    }

    public GroupFiles files(String name) {
        return new GroupFiles(dir, name);
    }

    /**
     * Creates group NAME of the served volumes {@code volumeNames} (in that order): their own
     * journals are drained and checkpointed, then they serve on over one shared journal.
     */
    public synchronized GroupMetadata create(String name, List<String> volumeNames) {
        if (!Names.validVolumeName(name)) {
            throw new VolumeException(Reason.INVALID, "group name: " + name + " (expected: " + Names.VOLUME_EXPECTED + ")");
        }
        if (volumeNames == null || volumeNames.isEmpty()) {
            throw new VolumeException(Reason.INVALID, "volumes: none (expected: at least one volume name)");
        }
        Set<String> unique = new LinkedHashSet<>(volumeNames);
        if (unique.size() != volumeNames.size()) {
            throw new VolumeException(Reason.INVALID, "volumes: " + volumeNames + " (expected: each volume once)");
        }
        if (groups.containsKey(name)) {
            throw new VolumeException(Reason.CONFLICT, "group " + name + " already exists");
        }
        for (String v : volumeNames) {
            volumes.get(v); // 404 naming the volume
        }
        GroupMetadata[] created = new GroupMetadata[1];
        volumes.regroup(volumeNames, members -> {
            GroupMetadata meta = new GroupMetadata(GroupMetadata.CURRENT_VERSION, name, freeGroupId(members),
                    members.stream().map(m -> new GroupMetadata.Member(m.name(), m.groupId())).toList(),
                    Instant.now().toString(), null);
            // a stale journal of an earlier group of this name must not replay into these volumes
            deleteTree(files(name).journal());
            write(meta);
            storage.join(meta);
            created[0] = meta;
        });
        groups.put(name, created[0]);
        LOG.info("group {} created: volumes {} share journal {} (group id {})", name, volumeNames,
                files(name).journal(), created[0].groupId());
        return created[0];
    }

    /** Records that group NAME is protected (or, with null, no longer). */
    public synchronized GroupMetadata protect(String name, GroupMetadata.Protection protection) {
        GroupMetadata updated = get(name).withProtection(protection);
        try {
            write(updated);
        } catch (IOException e) {
            throw new VolumeException(Reason.STORAGE, "group " + name + ": cannot save " + files(name).metadata()
                    + ": " + e.getMessage(), e);
        }
        groups.put(name, updated);
        return updated;
    }

    public synchronized GroupMetadata get(String name) {
        GroupMetadata g = groups.get(name);
        if (g == null) {
            throw new VolumeException(Reason.NOT_FOUND, "no group named " + name);
        }
        return g;
    }

    public synchronized Optional<GroupMetadata> find(String name) {
        return Optional.ofNullable(groups.get(name));
    }

    public synchronized List<GroupMetadata> list() {
        return List.copyOf(groups.values());
    }

    public synchronized int count() {
        return groups.size();
    }

    /** The shared journal of group NAME, when its volumes are served. */
    public Optional<ConsistencyGroup> journal(String name) {
        return storage.group(name);
    }

    private void write(GroupMetadata meta) throws IOException {
        DurableFiles.write(files(meta.name()).metadata(), JSON.writeValueAsBytes(meta));
    }

    /** An id no volume and no other group of this appliance carries (0 means none). */
    private int freeGroupId(List<VolumeMetadata> members) {
        Set<Integer> taken = new HashSet<>();
        groups.values().forEach(g -> {
            taken.add(g.groupId());
            g.volumes().forEach(m -> taken.add(m.id()));
        });
        members.forEach(m -> taken.add(m.groupId()));
        volumes.list().forEach(v -> taken.add(v.journal().groupId()));
        int id;
        do {
            id = RANDOM.nextInt() & Integer.MAX_VALUE;
        } while (id == 0 || taken.contains(id));
        return id;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
