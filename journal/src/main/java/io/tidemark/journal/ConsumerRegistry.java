package io.tidemark.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * The journal consumers of a group and their positions, persisted in {@value #FILE_NAME} in the
 * journal directory so that retention honours them from the moment the group reopens, before
 * anyone registers again. Registering a new consumer and unregistering one are persisted at once
 * (durably); acknowledgements lazily, by {@link #persistIfChanged()} at each checkpoint (a
 * position read back after a crash is older, never newer: retention keeps more, never less).
 *
 * <p>File format, UTF-8 text replaced atomically (temp, fsync, rename, fsync directory):
 * <pre>
 *   tidemark-consumers 1
 *   ACKNOWLEDGED OVERRUN_UP_TO NAME          one line per consumer (NAME: the rest of the line)
 *   crc32c HEX                               CRC32C of every line above, newlines included
 * </pre>
 * Thread-safe.
 */
final class ConsumerRegistry {

    static final String FILE_NAME = "consumers";
    private static final String HEADER = "tidemark-consumers 1";
    private static final String CRC_PREFIX = "crc32c ";

    private final Path directory;
    private final Map<String, ConsumerPosition> positions = new ConcurrentHashMap<>();
    /** Guarded by this: what the file holds, to skip rewriting an unchanged state. */
    private Map<String, String> persisted = Map.of();

    private ConsumerRegistry(Path directory) {
        this.directory = directory;
    }

    /** The consumers persisted in {@code directory} (none when it holds no file yet). */
    static ConsumerRegistry load(Path directory) throws IOException {
        ConsumerRegistry registry = new ConsumerRegistry(directory);
        Path file = directory.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return registry;
        }
        int crcLine = text.lastIndexOf(CRC_PREFIX);
        if (!text.startsWith(HEADER + "\n") || crcLine < 0) {
            throw new IOException("consumers file " + file + ": no '" + HEADER + "' header or crc32c line");
        }
        String body = text.substring(0, crcLine);
        String stored = text.substring(crcLine + CRC_PREFIX.length()).trim();
        String actual = crcOf(body);
        if (!stored.equals(actual)) {
            throw new IOException("consumers file " + file + ": crc32c " + stored + " (expected: " + actual + ")");
        }
        String[] lines = body.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] parts = lines[i].split(" ", 3);
            if (parts.length != 3) {
                throw new IOException("consumers file " + file + ", line " + (i + 1) + ": '" + lines[i]
                        + "' (expected: ACKNOWLEDGED OVERRUN_UP_TO NAME)");
            }
            ConsumerPosition p = new ConsumerPosition(parts[2], Long.parseLong(parts[0]));
            long overrun = Long.parseLong(parts[1]);
            if (overrun >= 0) {
                p.overrun(overrun);
            }
            registry.positions.put(p.name(), p);
        }
        synchronized (registry) {
            registry.persisted = registry.snapshotLines();
        }
        return registry;
    }

    /** The position of {@code name}, created (and persisted durably) at {@code acknowledged} when new. */
    ConsumerPosition register(String name, long acknowledged) throws IOException {
        if (name.isEmpty() || name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("consumer name: '" + name + "' (expected: non-empty, one line)");
        }
        ConsumerPosition existing = positions.get(name);
        if (existing != null) {
            return existing;
        }
        synchronized (this) {
            ConsumerPosition p = positions.computeIfAbsent(name, n -> new ConsumerPosition(n, acknowledged));
            persistIfChanged();
            return p;
        }
    }

    /** Forgets {@code name} durably; false when it was not registered. */
    synchronized boolean unregister(String name) throws IOException {
        boolean removed = positions.remove(name) != null;
        persistIfChanged();
        return removed;
    }

    /** Every consumer, by name. */
    List<ConsumerPosition> list() {
        List<ConsumerPosition> all = new ArrayList<>(positions.values());
        all.sort(Comparator.comparing(ConsumerPosition::name));
        return all;
    }

    /** Rewrites the file when a position changed since it was last written. */
    synchronized void persistIfChanged() throws IOException {
        Map<String, String> now = snapshotLines();
        if (now.equals(persisted)) {
            return;
        }
        StringBuilder body = new StringBuilder(HEADER).append('\n');
        now.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> body.append(e.getValue()).append('\n'));
        String text = body + CRC_PREFIX + crcOf(body.toString()) + "\n";
        write(text.getBytes(StandardCharsets.UTF_8));
        persisted = now;
    }

    private Map<String, String> snapshotLines() {
        Map<String, String> lines = new HashMap<>();
        for (ConsumerPosition p : positions.values()) {
            lines.put(p.name(), p.acknowledged() + " " + p.overrunUpTo() + " " + p.name());
        }
        return lines;
    }

    private void write(byte[] bytes) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        Path temp = directory.resolve(FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Checkpoint.syncDirectory(directory);
    }

    private static String crcOf(String text) {
        CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }
}
