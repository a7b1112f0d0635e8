package io.tidemark.replicator.dr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.Properties;

/**
 * How far the base images go, kept durably in {@code base.state} (written to a temporary file,
 * fdatasync'ed, renamed, directory synced). {@code applying} is written before retention
 * touches the base, {@code sequence} after the base and the index agree again: when they
 * differ at open, a crash interrupted a round and it is redone (applying a record twice is
 * harmless). Immutable.
 *
 * @param sequence        last record the base images hold
 * @param timestampMicros that record's timestamp (0 when none)
 * @param applying        retention may have applied records up to here
 */
record BaseState(long sequence, long timestampMicros, long applying) {

    static final String FILE = "base.state";
    static final BaseState EMPTY = new BaseState(0, 0, 0);

    static BaseState load(Path directory) throws IOException {
        Path file = directory.resolve(FILE);
        if (!Files.exists(file)) {
            return EMPTY;
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        try {
            return new BaseState(Long.parseLong(p.getProperty("sequence")), Long.parseLong(p.getProperty("timestampMicros")),
                    Long.parseLong(p.getProperty("applying")));
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + p + " (expected: sequence, timestampMicros and applying as numbers)", e);
        }
    }

    void store(Path directory) throws IOException {
        Path tmp = directory.resolve(FILE + ".tmp");
        String text = "sequence=" + sequence + "\ntimestampMicros=" + timestampMicros + "\napplying=" + applying + "\n";
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            c.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            c.force(true);
        }
        Files.move(tmp, directory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        CycleForcer.syncDirectory(directory);
    }

    BaseState applying(long through) {
        return new BaseState(sequence, timestampMicros, through);
    }
}
