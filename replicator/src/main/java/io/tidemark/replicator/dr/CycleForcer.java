package io.tidemark.replicator.dr;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the DR journal's mapped cycle files durable with fdatasync on a channel of its own (on
 * Linux that writes back the pages dirtied through Chronicle's mapping too). A cycle file left
 * behind by a roll is forced once more, and the directory once when it gained a file.
 * Thread-safe: the appending thread notes files, any thread forces.
 */
final class CycleForcer implements AutoCloseable {

    private final Path directory;
    private final List<File> pending = new ArrayList<>();
    private File current;
    private boolean directoryDirty;
    private FileChannel channel;
    private File channelFile;

    CycleForcer(Path directory) {
        this.directory = directory;
    }

    /** Records were appended to {@code file} (cheap when unchanged). */
    synchronized void note(File file) {
        if (file == null || file.equals(current)) {
            return;
        }
        if (current != null) {
            pending.add(current);
        }
        current = file;
        directoryDirty = true;
    }

    /** fdatasync of every file written since the last call, and of the directory when it gained one. */
    synchronized void force() throws IOException {
        for (File file : pending) {
            try (FileChannel c = FileChannel.open(file.toPath(), StandardOpenOption.WRITE)) {
                c.force(false);
            } catch (NoSuchFileException e) {
                // trimmed meanwhile: nothing left to make durable
            }
        }
        pending.clear();
        if (current != null) {
            if (channel == null || !current.equals(channelFile)) {
                closeChannel();
                channel = FileChannel.open(current.toPath(), StandardOpenOption.WRITE);
                channelFile = current;
            }
            channel.force(false);
        }
        if (directoryDirty) {
            syncDirectory(directory);
            directoryDirty = false;
        }
    }

    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closeChannel();
    }
}
