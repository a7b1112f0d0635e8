package io.tidemark.journal;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a Chronicle journal's mapped cycle files durable with fdatasync (FileChannel.force(false))
 * on a channel of its own: on Linux that writes back the file's dirty page-cache pages, those
 * dirtied through Chronicle's mapping included, so the force can run on a thread other than the
 * appender's. A cycle file just left behind by a roll is forced once more, and the directory
 * once, so its entry survives a crash. Thread-safe: the appender notes files, the force
 * thread forces.
 */
final class CycleFileForcer implements AutoCloseable {

    private final Path directory;
    private final List<File> pending = new ArrayList<>();
    private File current;
    /** Used by the force thread only. */
    private FileChannel currentChannel;
    private File currentFileOfChannel;
    private boolean directoryDirty;

    CycleFileForcer(Path directory) {
        this.directory = directory;
    }

    /** The appender writes into {@code file} now (cheap when unchanged). */
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

    /** fdatasync of every file written since the last call, and of the directory when it gained a file. */
    void force() throws IOException {
        List<File> older;
        File now;
        boolean syncDirectory;
        synchronized (this) {
            older = pending.isEmpty() ? List.of() : new ArrayList<>(pending);
            pending.clear();
            now = current;
            syncDirectory = directoryDirty;
            directoryDirty = false;
        }
        for (File file : older) {
            try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE)) {
                channel.force(false);
            } catch (java.nio.file.NoSuchFileException e) {
                // trimmed meanwhile: nothing left to make durable
            }
        }
        if (now != null) {
            channelFor(now).force(false);
        }
        if (syncDirectory) {
            Checkpoint.syncDirectory(directory);
        }
    }

    private FileChannel channelFor(File file) throws IOException {
        if (currentChannel == null || !file.equals(currentFileOfChannel)) {
            if (currentChannel != null) {
                currentChannel.close();
            }
            currentChannel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE);
            currentFileOfChannel = file;
        }
        return currentChannel;
    }

    @Override
    public synchronized void close() throws IOException {
        if (currentChannel != null) {
            currentChannel.close();
            currentChannel = null;
        }
    }
}
