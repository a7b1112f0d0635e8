package io.tidemark.appliance.lun;

import io.tidemark.iscsi.spi.DurableState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A {@link DurableState} kept in one file (e.g. {@code NAME.pr}). A store writes a temporary
 * file next to it, fsyncs it, renames it over the old one and fsyncs the directory, so a
 * crash leaves either the old or the new value, never a mix. Thread-safe: calls are serialized.
 */
public final class FileDurableState implements DurableState {

    private static final String TEMP_SUFFIX = ".tmp";

    private final Path file;
    private final Path temp;

    public FileDurableState(Path file) {
        Path absolute = file.toAbsolutePath();
        this.file = absolute;
        this.temp = absolute.resolveSibling(absolute.getFileName() + TEMP_SUFFIX);
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized byte[] load() {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read durable state " + file, e);
        }
    }

    @Override
    public synchronized void store(byte[] value) {
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer data = ByteBuffer.wrap(value);
                while (data.hasRemaining()) {
                    channel.write(data);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("file system of " + file + " cannot rename atomically", e);
            }
            // the rename itself is durable only once the directory entry is on disk
            try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                directory.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store durable state " + file + " (" + value.length + " bytes)", e);
        }
    }

    @Override
    public String toString() {
        return "FileDurableState[" + file + "]";
    }
}
