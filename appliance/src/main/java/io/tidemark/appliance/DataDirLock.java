package io.tidemark.appliance;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a second appliance off a data dir in use: two writers would corrupt every volume.
 * Not thread-safe: held by one appliance from start to close.
 */
final class DataDirLock implements AutoCloseable {

    static final String FILE = "tidemark.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirLock acquire(Path dataDir) throws StartupException {
        Path file = dataDir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new OverlappingFileLockException();
            }
            return new DataDirLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new StartupException("data dir " + dataDir + " is in use by another Tidemark process (lock " + file + ")");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StartupException("data dir " + dataDir + " is not usable: " + e, e);
        }
    }

    @Override
    public void close() throws IOException {
        try (channel) {
            lock.release();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the lock attempt already failed; nothing more to release
            }
        }
    }
}
