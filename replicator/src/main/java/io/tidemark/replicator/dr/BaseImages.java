package io.tidemark.replicator.dr;

import io.tidemark.nativeio.NativeFile;
import io.tidemark.nativeio.NativeIoException;
import io.tidemark.nativeio.OpenFlag;
import io.tidemark.replicator.ship.VolumeDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One plaintext sparse file per volume holding the volume as of the base sequence (the oldest
 * point of the window). Written only by retention (records it applies), read by views for
 * blocks the index has no version of. Thread-safe: positional I/O only.
 */
final class BaseImages implements AutoCloseable {

    private static final int ZERO_CHUNK = 1 << 20;

    private final Path directory;
    private final Map<Integer, Image> images = new HashMap<>();

    private record Image(Path path, FileChannel channel, NativeFile holes, long size) {
    }

    BaseImages(Path directory, List<VolumeDescriptor> volumes) throws IOException {
        this.directory = directory;
        Files.createDirectories(directory);
        try {
            for (VolumeDescriptor v : volumes) {
                Path path = directory.resolve("volume-" + v.volumeId() + ".img");
                FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                if (channel.size() != v.sizeBytes()) {
                    // never written data past the size: a new image is all hole
                    channel.truncate(v.sizeBytes());
                    if (channel.size() < v.sizeBytes()) {
                        channel.write(ByteBuffer.allocate(1), v.sizeBytes() - 1);
                        punch(path, v.sizeBytes() - 1, 1, channel);
                    }
                }
                images.put(v.volumeId(), new Image(path, channel, NativeFile.open(path), v.sizeBytes()));
            }
            CycleForcer.syncDirectory(directory);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void punch(Path path, long offset, long length, FileChannel fallback) throws IOException {
        try (NativeFile f = NativeFile.open(path)) {
            f.punchHole(offset, length);
        } catch (NativeIoException e) {
            fallback.write(ByteBuffer.allocate((int) length), offset);
        }
    }

    private Image image(int volumeId) {
        Image image = images.get(volumeId);
        if (image == null) {
            throw new IllegalArgumentException("volume id: " + volumeId + " (expected: one of " + images.keySet() + ")");
        }
        return image;
    }

    /** Reads {@code dst.remaining()} bytes at {@code offset}; advances dst's position. */
    void read(int volumeId, long offset, ByteBuffer dst) throws IOException {
        FileChannel channel = image(volumeId).channel();
        long at = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new IOException("base image of volume " + volumeId + ": end of file at " + at);
            }
            at += n;
        }
    }

    void write(int volumeId, long offset, ByteBuffer src) throws IOException {
        FileChannel channel = image(volumeId).channel();
        ByteBuffer b = src.duplicate();
        long at = offset;
        while (b.hasRemaining()) {
            at += channel.write(b, at);
        }
    }

    /** The range reads as zeros from now on: a hole where the file system can punch one. */
    void zero(int volumeId, long offset, long length) throws IOException {
        Image image = image(volumeId);
        try {
            image.holes().punchHole(offset, length);
        } catch (NativeIoException e) {
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(length, ZERO_CHUNK));
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(zeros.capacity(), length - done);
                write(volumeId, offset + done, zeros.clear().limit(n));
                done += n;
            }
        }
    }

    /** fdatasync of every image. */
    void force() throws IOException {
        for (Image image : images.values()) {
            image.channel().force(false);
        }
    }

    /** Bytes the images occupy on disk (their data extents; holes are free). */
    long allocatedBytes() {
        long total = 0;
        for (Image image : images.values()) {
            try {
                long at = 0;
                while (at < image.size()) {
                    long data = image.holes().seekData(at);
                    if (data < 0 || data >= image.size()) {
                        break;
                    }
                    long hole = image.holes().seekHole(data);
                    total += Math.min(hole, image.size()) - data;
                    at = hole;
                }
            } catch (IOException e) {
                total += 0; // ENXIO past the last extent: nothing more allocated
            }
        }
        return total;
    }

    Path directory() {
        return directory;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Image image : images.values()) {
            try {
                image.channel().close();
                image.holes().close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        images.clear();
        if (first != null) {
            throw first;
        }
    }
}
