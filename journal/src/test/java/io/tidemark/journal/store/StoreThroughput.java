package io.tidemark.journal.store;

import io.tidemark.nativeio.AlignedBuffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Quick single-thread FileStore throughput, O_DIRECT vs buffered, 4 KiB and 64 KiB random
 * I/O over a prefilled file (not a JUnit test; the JMH benchmarks live in benchmarks/).
 * Buffered numbers are page-cache numbers: reads mostly hit memory, plain writes are not
 * fdatasync'ed; "write+sync" follows every write with flush() (fdatasync), as FUA does.
 *
 * <pre>
 * mvn -q -o -Dtidemark.build=target-storage -pl native,journal -am test-compile
 * java -cp native/target-storage/classes:journal/target-storage/classes:journal/target-storage/test-classes:$(cat cp.txt) \
 *     io.tidemark.journal.store.StoreThroughput [dir] [seconds-per-run]
 * </pre>
 */
public final class StoreThroughput {

    private static final long FILE_BYTES = 512L << 20;

    private StoreThroughput() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory(Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir")),
                "store-throughput");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        Path file = dir.resolve("volume.img");
        try {
            FileStore.create(file, FILE_BYTES, StoreOptions.DEFAULTS.withDirectIo(false)).close();
            prefill(file);
            System.out.printf("%-9s %-10s %8s %10s %10s%n", "mode", "op", "size", "MB/s", "IOPS");
            for (boolean direct : new boolean[] {true, false}) {
                try (FileStore store = FileStore.open(file, StoreOptions.DEFAULTS.withDirectIo(direct))) {
                    for (int size : new int[] {4096, 65536}) {
                        for (Op op : Op.values()) {
                            run(store, size, op, seconds * 0.3);
                            double[] result = run(store, size, op, seconds);
                            System.out.printf("%-9s %-10s %7dK %10.1f %10.0f%n", store.directIo() ? "direct" : "buffered",
                                    op.label, size / 1024, result[0], result[1]);
                        }
                    }
                }
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static void prefill(Path file) throws IOException {
        try (FileStore store = FileStore.open(file, StoreOptions.DEFAULTS)) {
            ByteBuffer chunk = AlignedBuffers.allocate(1 << 20);
            for (int i = 0; i < chunk.capacity(); i++) {
                chunk.put(i, (byte) (i * 31 + 7));
            }
            long per = chunk.capacity() / store.blockSize();
            for (long block = 0; block < store.blockCount(); block += per) {
                store.write(block, chunk);
            }
            store.flush();
        }
    }

    private enum Op {
        WRITE("write"), READ("read"), WRITE_SYNC("write+sync");

        final String label;

        Op(String label) {
            this.label = label;
        }
    }

    /** Returns {MB/s, IOPS}. */
    private static double[] run(FileStore store, int size, Op op, double seconds) throws IOException {
        ByteBuffer buffer = AlignedBuffers.allocate(size);
        long slots = FILE_BYTES / size;
        int blocksPerIo = size / store.blockSize();
        SplittableRandom random = new SplittableRandom(size);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long ios = 0;
        long start = System.nanoTime();
        long now;
        do {
            for (int i = 0; i < 64; i++) {
                long block = random.nextLong(slots) * blocksPerIo;
                switch (op) {
                    case WRITE -> store.write(block, buffer);
                    case READ -> store.read(block, buffer);
                    case WRITE_SYNC -> {
                        store.write(block, buffer);
                        store.flush();
                    }
                }
            }
            ios += 64;
            now = System.nanoTime();
        } while (now < deadline);
        double elapsed = (now - start) / 1e9;
        return new double[] {ios * (double) size / elapsed / 1e6, ios / elapsed};
    }
}
