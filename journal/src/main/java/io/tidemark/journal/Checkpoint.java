package io.tidemark.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * What the stores of a group durably hold: every record up to {@code sequence} is applied and
 * flushed. {@code journalIndex} is the Chronicle index of that record or of an earlier one
 * (where replay starts reading; -1: from the start). Persisted in one small file replaced
 * atomically (write temp, fsync, rename, fsync directory).
 *
 * <pre>
 *  0: magic "TMCP" | 4: version (4) | 8: epoch (8) | 16: sequence (8) | 24: journal index (8) | 32: CRC32C of 0..31
 * </pre>
 */
public record Checkpoint(long epoch, long sequence, long journalIndex) {

    public static final Checkpoint EMPTY = new Checkpoint(0, 0, -1);
    static final String FILE_NAME = "applied.checkpoint";

    private static final int MAGIC = 0x50434d54; // "TMCP" little-endian
    private static final int VERSION = 1;
    private static final int LENGTH = 36;

    /** The checkpoint in {@code directory}, or {@link #EMPTY} when none was written yet. */
    static Checkpoint load(Path directory) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return EMPTY;
        }
        if (bytes.length != LENGTH) {
            throw new IOException("checkpoint " + file + ": " + bytes.length + " bytes (expected: " + LENGTH + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 32);
        if (b.getInt(0) != MAGIC || b.getInt(4) != VERSION || b.getInt(32) != (int) crc.getValue()) {
            throw new IOException("checkpoint " + file + ": bad magic, version " + b.getInt(4) + " or CRC"
                    + " (expected: TMCP version " + VERSION + " with a matching CRC32C)");
        }
        return new Checkpoint(b.getLong(8), b.getLong(16), b.getLong(24));
    }

    /** Replaces the checkpoint in {@code directory} durably. */
    void store(Path directory) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC).putInt(4, VERSION).putLong(8, epoch).putLong(16, sequence).putLong(24, journalIndex);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 32);
        b.putInt(32, (int) crc.getValue());
        Path file = directory.resolve(FILE_NAME);
        Path temp = directory.resolve(FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) {
                channel.write(b);
            }
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(directory);
    }

    /** Makes new or renamed entries of {@code directory} durable. */
    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
