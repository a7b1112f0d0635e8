package io.tidemark.appliance.volume;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tidemark.appliance.config.Names;
import io.tidemark.appliance.config.Sizes;
import io.tidemark.appliance.volume.VolumeException.Reason;
import io.tidemark.appliance.volume.VolumeStorage.OpenVolume;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.spi.LunDescriptor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volumes of one appliance: their files under {@code <data.dir>/volumes}, their open
 * storage, and their LUNs on the targets. Every change is served at once: a created volume is
 * on its target when {@link #create} returns, a deleted one is off its target before its files
 * go. Thread-safe: changes are serialized on the catalog.
 */
public final class VolumeCatalog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeCatalog.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAX_LUN = 16383;

    private final Path dir;
    private final VolumeStorage storage;
    private final TargetProvisioner targets;
    private final Map<String, Entry> volumes = new TreeMap<>();
    private boolean closed;

    private static final class Entry {
        private VolumeMetadata meta;
        private final OpenVolume open;

        Entry(VolumeMetadata meta, OpenVolume open) {
            this.meta = meta;
            this.open = open;
        }
    }

    private VolumeCatalog(Path dir, VolumeStorage storage, TargetProvisioner targets) {
        this.dir = dir;
        this.storage = storage;
        this.targets = targets;
    }

    /**
     * Opens every volume found in {@code dir} (created if missing) and puts it on its target.
     * A volume that cannot be opened stops the whole catalog, naming its file.
     */
    public static VolumeCatalog open(Path dir, VolumeStorage storage, TargetProvisioner targets) throws IOException {
        Files.createDirectories(dir);
        VolumeCatalog catalog = new VolumeCatalog(dir, storage, targets);
        try {
            targets.provisionConfigured();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + VolumeFiles.METADATA_SUFFIX)) {
                List<Path> sorted = new ArrayList<>();
                files.forEach(sorted::add);
                sorted.sort(null);
                for (Path file : sorted) {
                    catalog.openExisting(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            catalog.close();
            throw e;
        }
        return catalog;
    }

    public Path directory() {
        return dir;
    }

    /**
     * Creates a sparse volume of {@code sizeBytes} and serves it: on target {@code targetName}
     * (null: the volume's own name) at LUN {@code lun} (null: the lowest free one).
     */
    public synchronized Volume create(String name, long sizeBytes, String targetName, Integer lun) {
        checkOpen();
        if (!Names.validVolumeName(name)) {
            throw new VolumeException(Reason.INVALID, "name: " + name + " (expected: " + Names.VOLUME_EXPECTED + ")");
        }
        if (!Names.validVolumeSize(sizeBytes)) {
            throw new VolumeException(Reason.INVALID, "size: " + sizeBytes + " (expected: " + Names.SIZE_EXPECTED + ")");
        }
        String target = targetName == null ? name : targetName;
        if (!Names.validVolumeName(target)) {
            throw new VolumeException(Reason.INVALID, "target: " + target + " (expected: " + Names.VOLUME_EXPECTED + ")");
        }
        if (lun != null && (lun < 0 || lun > MAX_LUN)) {
            throw new VolumeException(Reason.INVALID, "lun: " + lun + " (expected: 0.." + MAX_LUN + ")");
        }
        if (volumes.containsKey(name)) {
            throw new VolumeException(Reason.CONFLICT, "volume " + name + " already exists");
        }
        int chosenLun = lun != null ? checkLunFree(target, lun) : lowestFreeLun(target);
        VolumeFiles files = new VolumeFiles(dir, name);
        String naaId = NaaId.toHex(NaaId.generate());
        VolumeMetadata meta = new VolumeMetadata(VolumeMetadata.CURRENT_VERSION, name, sizeBytes, naaId, target,
                chosenLun, Instant.now().toString(), freeGroupId(naaId));
        OpenVolume open = null;
        try {
            createSparseImage(files.image(), sizeBytes);
            // a journal without metadata is left over from an interrupted create or delete: never replay it here
            deleteTree(files.journal());
            writeMetadata(files, meta);
            open = storage.open(files, meta);
            serve(meta, open);
        } catch (IOException | RuntimeException e) {
            closeQuietly(open);
            deleteQuietly(files);
            if (e instanceof VolumeException ve) {
                throw ve;
            }
            throw new VolumeException(Reason.STORAGE, "volume " + name + ": cannot create " + files.image()
                    + ": " + describe(e), e);
        }
        volumes.put(name, new Entry(meta, open));
        LOG.info("volume {} created: {}, served as {} LUN {}, journal group {} in {}", name, Sizes.format(sizeBytes),
                targets.iqn(target), chosenLun, meta.groupId(), files.journal());
        return view(volumes.get(name));
    }

    /** Grows volume NAME to {@code newSizeBytes}; the LUN reports the new capacity at once. Volumes never shrink. */
    public synchronized Volume resize(String name, long newSizeBytes) {
        checkOpen();
        Entry entry = entry(name);
        storage.groupOf(name).ifPresent(group -> {
            // a group's replicas and views are described with the sizes its volumes had when it was protected
            throw new VolumeException(Reason.CONFLICT, "volume " + name + " belongs to group " + group
                    + " (expected: a volume in no group; grouped volumes keep their size)");
        });
        long current = entry.meta.sizeBytes();
        if (newSizeBytes < current) {
            throw new VolumeException(Reason.CONFLICT, "size: " + Sizes.format(newSizeBytes) + " is smaller than volume "
                    + name + "'s " + Sizes.format(current) + " (expected: at least " + Sizes.format(current)
                    + "; volumes only grow)");
        }
        if (!Names.validVolumeSize(newSizeBytes)) {
            throw new VolumeException(Reason.INVALID, "size: " + newSizeBytes + " (expected: " + Names.SIZE_EXPECTED + ")");
        }
        if (newSizeBytes == current) {
            return view(entry);
        }
        VolumeMetadata grown = entry.meta.withSize(newSizeBytes);
        try {
            // metadata first: a crash in between leaves a short image, which open() extends
            writeMetadata(new VolumeFiles(dir, name), grown);
            entry.open.grow(newSizeBytes);
        } catch (IOException | RuntimeException e) {
            throw new VolumeException(Reason.STORAGE, "volume " + name + ": cannot grow to "
                    + Sizes.format(newSizeBytes) + ": " + describe(e), e);
        }
        entry.meta = grown;
        LOG.info("volume {} resized: {} -> {}", name, Sizes.format(current), Sizes.format(newSizeBytes));
        return view(entry);
    }

    /** Takes volume NAME off its target, closes it (draining its journal), then deletes its files and journal. */
    public synchronized void delete(String name) {
        checkOpen();
        Entry entry = entry(name);
        storage.groupOf(name).ifPresent(group -> {
            throw new VolumeException(Reason.CONFLICT, "volume " + name + " belongs to group " + group
                    + " (expected: a volume in no group; groups keep their volumes)");
        });
        targets.nodeFor(entry.meta.target()).removeLun(entry.meta.lun());
        targets.releaseIfEmpty(entry.meta.target());
        volumes.remove(name);
        VolumeFiles files = new VolumeFiles(dir, name);
        try {
            entry.open.close();
            Files.deleteIfExists(files.metadata());
            Files.deleteIfExists(files.image());
            Files.deleteIfExists(files.reservations());
            deleteTree(files.journal());
        } catch (IOException e) {
            throw new VolumeException(Reason.STORAGE, "volume " + name + " is no longer served, but its files in "
                    + dir + " could not all be removed: " + describe(e), e);
        }
        LOG.info("volume {} deleted", name);
    }

    /** What moves volumes into a group, between closing them alone and reopening them as members. */
    @FunctionalInterface
    public interface Regrouping {
        /** Persists the membership of {@code members} (closed, their own journals drained and checkpointed). */
        void commit(List<VolumeMetadata> members) throws IOException;
    }

    /**
     * Moves volumes {@code names} from their own journals into one group: takes them off their
     * targets, closes them (draining, syncing and checkpointing each journal), lets
     * {@code regrouping} persist the membership, deletes their own journals (nothing in them is
     * unapplied any more, and a stale one must never replay), then serves them again over the
     * storage, which now opens them as members. When {@code regrouping} fails they come back alone.
     */
    public synchronized List<Volume> regroup(List<String> names, Regrouping regrouping) {
        checkOpen();
        List<Entry> entries = names.stream().map(this::entry).toList();
        for (String name : names) {
            storage.groupOf(name).ifPresent(group -> {
                throw new VolumeException(Reason.CONFLICT, "volume " + name + " already belongs to group " + group
                        + " (expected: a volume in no group)");
            });
        }
        for (Entry e : entries) {
            targets.nodeFor(e.meta.target()).removeLun(e.meta.lun());
        }
        List<VolumeMetadata> metas = entries.stream().map(e -> e.meta).toList();
        List<String> closed = new ArrayList<>();
        try {
            for (Entry e : entries) {
                e.open.close();
                closed.add(e.meta.name());
            }
            regrouping.commit(metas);
        } catch (IOException | RuntimeException e) {
            LOG.warn("volumes {}: cannot join a group, serving them alone again: {}", names, describe(e));
            reopen(entries, closed);
            throw e instanceof VolumeException ve ? ve : new VolumeException(Reason.STORAGE, "volumes " + names
                    + ": cannot move them into one group: " + describe(e), e);
        }
        for (Entry e : entries) {
            try {
                deleteTree(new VolumeFiles(dir, e.meta.name()).journal());
            } catch (IOException ex) {
                LOG.warn("volume {}: its own journal (drained) could not be removed: {}", e.meta.name(), describe(ex));
            }
        }
        reopen(entries, closed);
        return names.stream().map(n -> view(entry(n))).toList();
    }

    /** Reopens closed entries over the storage as it stands; one that fails stays unserved, logged. */
    private void reopen(List<Entry> entries, List<String> closed) {
        for (Entry e : entries) {
            VolumeFiles files = new VolumeFiles(dir, e.meta.name());
            if (!closed.contains(e.meta.name())) {
                serve(e.meta, e.open);
                continue;
            }
            try {
                OpenVolume reopened = storage.open(files, e.meta);
                serve(e.meta, reopened);
                volumes.put(e.meta.name(), new Entry(e.meta, reopened));
            } catch (IOException | RuntimeException ex) {
                volumes.remove(e.meta.name());
                LOG.error("volume {}: cannot be served again after regrouping: {}", e.meta.name(), describe(ex));
            }
        }
    }

    public synchronized Volume get(String name) {
        return view(entry(name));
    }

    /** A snapshot, by name. */
    public synchronized List<Volume> list() {
        return volumes.values().stream().map(this::view).toList();
    }

    public synchronized int count() {
        return volumes.size();
    }

    public synchronized long totalBytes() {
        return volumes.values().stream().mapToLong(e -> e.meta.sizeBytes()).sum();
    }

    /** Takes every volume off its target, flushes and closes its storage. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Entry entry : volumes.values()) {
            targets.registry().target(targets.iqn(entry.meta.target()))
                    .ifPresent(node -> node.removeLun(entry.meta.lun()));
            try {
                entry.open.close();
            } catch (IOException | RuntimeException e) {
                LOG.error("volume {}: flush and close failed: {}", entry.meta.name(), describe(e));
            }
        }
        volumes.clear();
    }

    private void openExisting(Path metadataFile) throws IOException {
        VolumeMetadata meta;
        try {
            meta = JSON.readValue(metadataFile.toFile(), VolumeMetadata.class);
            NaaId.fromHex(meta.naaId());
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("volume metadata " + metadataFile + " is unreadable: " + describe(e), e);
        }
        String expectedName = metadataFile.getFileName().toString().replaceFirst("\\.json$", "");
        if (!expectedName.equals(meta.name()) || !Names.validVolumeName(meta.target())) {
            throw new IOException("volume metadata " + metadataFile + " names volume " + meta.name() + " on target "
                    + meta.target() + " (expected: volume " + expectedName + " on a valid target name)");
        }
        VolumeFiles files = new VolumeFiles(dir, meta.name());
        if (!Files.isRegularFile(files.image())) {
            throw new IOException("volume " + meta.name() + ": image " + files.image() + " is missing (metadata in "
                    + metadataFile + ")");
        }
        if (Files.size(files.image()) < meta.sizeBytes()) {
            // an interrupted resize: the metadata already holds the new size
            try (RandomAccessFile raf = new RandomAccessFile(files.image().toFile(), "rw")) {
                raf.setLength(meta.sizeBytes());
            }
        }
        String iqn = targets.iqn(meta.target());
        TargetNode node = targets.nodeFor(meta.target());
        LunDescriptor taken = node.lun(meta.lun()).orElse(null);
        if (taken != null) {
            throw new IOException("volume " + meta.name() + " and volume " + taken.name() + " both claim LUN "
                    + meta.lun() + " of " + iqn + " (see " + metadataFile + ")");
        }
        if (meta.groupId() == 0) {
            // written before volumes were journaled: the id is chosen once, then kept for the volume's life
            meta = meta.withGroupId(freeGroupId(meta.naaId()));
            writeMetadata(files, meta);
            LOG.info("volume {}: journal group id {} assigned and saved in {}", meta.name(), meta.groupId(),
                    metadataFile);
        }
        if (storage.groupOf(meta.name()).isPresent() && Files.exists(files.journal())) {
            // left over from a crash right after the volume joined its group: drained before it joined
            deleteTree(files.journal());
            LOG.info("volume {}: own journal {} removed (the volume is in group {})", meta.name(), files.journal(),
                    storage.groupOf(meta.name()).get());
        }
        OpenVolume open = storage.open(files, meta);
        try {
            serve(meta, open);
        } catch (RuntimeException e) {
            closeQuietly(open);
            throw e;
        }
        volumes.put(meta.name(), new Entry(meta, open));
        JournalStatus journal = open.journal();
        LOG.info("volume {} opened: {}, served as {} LUN {}, journal group {} at seq {} (checkpoint {})", meta.name(),
                Sizes.format(meta.sizeBytes()), iqn, meta.lun(), meta.groupId(), journal.appended(),
                journal.checkpointed());
    }

    private void serve(VolumeMetadata meta, OpenVolume open) {
        targets.nodeFor(meta.target()).addLun(new LunDescriptor(meta.lun(), meta.name(), NaaId.fromHex(meta.naaId()),
                true, open.unit()));
    }

    private int checkLunFree(String target, int lun) {
        targets.registry().target(targets.iqn(target)).flatMap(node -> node.lun(lun)).ifPresent(taken -> {
            throw new VolumeException(Reason.CONFLICT, "LUN " + lun + " of " + targets.iqn(target)
                    + " is taken by volume " + taken.name());
        });
        return lun;
    }

    private int lowestFreeLun(String target) {
        TargetNode node = targets.registry().target(targets.iqn(target)).orElse(null);
        for (int lun = 0; lun <= MAX_LUN; lun++) {
            if (node == null || node.lun(lun).isEmpty()) {
                return lun;
            }
        }
        throw new VolumeException(Reason.CONFLICT, "target " + targets.iqn(target) + " has no free LUN (expected: at most "
                + (MAX_LUN + 1) + " LUNs per target)");
    }

    private Entry entry(String name) {
        Entry entry = volumes.get(name);
        if (entry == null) {
            throw new VolumeException(Reason.NOT_FOUND, "no volume named " + name);
        }
        return entry;
    }

    private Volume view(Entry entry) {
        VolumeMetadata meta = entry.meta;
        return new Volume(meta.name(), meta.sizeBytes(), meta.target(), targets.iqn(meta.target()), meta.lun(),
                meta.naaId(), new VolumeFiles(dir, meta.name()).image().toAbsolutePath(), entry.open.journal(),
                storage.groupOf(meta.name()).orElse(null));
    }

    /**
     * A group id for a new group: the low 31 bits of the NAA id's random part, moved on past
     * ids other open volumes carry (and past 0, which means "none").
     */
    private int freeGroupId(String naaId) {
        Set<Integer> taken = new HashSet<>();
        volumes.values().forEach(e -> taken.add(e.meta.groupId()));
        int id = (int) (Long.parseLong(naaId.substring(naaId.length() - 8), 16) & Integer.MAX_VALUE);
        while (id == 0 || taken.contains(id)) {
            id = (id + 1) & Integer.MAX_VALUE;
        }
        return id;
    }

    private void checkOpen() {
        if (closed) {
            throw new VolumeException(Reason.CONFLICT, "the appliance is shutting down");
        }
    }

    private static void createSparseImage(Path image, long sizeBytes) throws IOException {
        // an image without metadata is left over from an interrupted create: nothing serves it
        Files.deleteIfExists(image);
        Files.createFile(image);
        try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
            raf.setLength(sizeBytes);
            raf.getFD().sync();
        }
    }

    private static void writeMetadata(VolumeFiles files, VolumeMetadata meta) throws IOException {
        Path tmp = files.dir().resolve(files.name() + VolumeFiles.METADATA_SUFFIX + ".tmp");
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(meta);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        Files.move(tmp, files.metadata(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(files.dir());
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems refuse fsync on directories; the rename itself is still atomic
        }
    }

    private static void closeQuietly(OpenVolume open) {
        if (open != null) {
            try {
                open.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("closing a half-created volume failed: {}", describe(e));
            }
        }
    }

    private static void deleteQuietly(VolumeFiles files) {
        for (Path p : List.of(files.metadata(), files.image(), files.reservations(), files.journal())) {
            try {
                deleteTree(p);
            } catch (IOException e) {
                LOG.warn("cannot remove {}: {}", p, describe(e));
            }
        }
    }

    /** Deletes a file, or a directory with everything in it; nothing when absent. */
    private static void deleteTree(Path root) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(root);
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
