package io.tidemark.benchmarks.iscsi.scsi;

import io.tidemark.appliance.lun.BlockDeviceUnit;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.scsi.ItNexus;
import io.tidemark.iscsi.scsi.ScsiCommand;
import io.tidemark.iscsi.scsi.ScsiResponse;
import io.tidemark.iscsi.scsi.ScsiTargetDevice;
import io.tidemark.iscsi.scsi.TaskAttribute;
import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.iscsi.spi.LunDescriptor;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import io.tidemark.nativeio.AlignedBuffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The SCSI layer in stages, without the network: READ(10) and WRITE(10) through the real
 * {@link ScsiTargetDevice}, first over a {@link NullLogicalUnit} (the command set's own cost),
 * then over the appliance's {@link BlockDeviceUnit} on a file store, O_DIRECT and buffered
 * (the cost of storage as the target sees it). Random LBAs over a prefilled 256 MiB volume.
 * Scores are commands per second; {@code -t N} gives N concurrent initiators' worth of load.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ScsiTargetDeviceBenchmark {

    static final long VOLUME_BYTES = 256L << 20;
    static final String TARGET_IQN = "iqn.2026-11.io.tidemark:bench";
    static final int READ_10 = 0x28;
    static final int WRITE_10 = 0x2a;
    static final int TEST_UNIT_READY = 0x00;
    private static final int LOGICAL_BLOCK = 512;
    private static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);

    @Param({"4096", "65536"})
    public int blockBytes;

    /** null: no storage at all; file-direct / file-buffered: BlockDeviceUnit over a FileStore. */
    @Param({"null", "file-direct", "file-buffered"})
    public String backend;

    ScsiTargetDevice device;
    ItNexus nexus;
    LogicalUnit unit;
    private Path dir;
    long slots;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        unit = openBackend();
        TargetNode node = new TargetNode(TARGET_IQN, "bench", null, Set.of());
        byte[] naa = HexFormat.of().parseHex("6" + "0014052" + "0".repeat(24));
        node.addLun(new LunDescriptor(0, "bench", naa, true, unit));
        TargetRegistry registry = new TargetRegistry();
        registry.add(node);
        device = new ScsiTargetDevice(node, registry);
        nexus = new ItNexus("iqn.2026-11.io.tidemark.bench:initiator", new byte[] {0x40, 0, 0, 0, 0, 1}, TARGET_IQN, 1);
        device.nexusCreated(nexus);
        slots = VOLUME_BYTES / blockBytes;
        drainUnitAttentions();
    }

    private LogicalUnit openBackend() throws IOException {
        if (backend.equals("null")) {
            return new NullLogicalUnit(VOLUME_BYTES / LOGICAL_BLOCK);
        }
        boolean direct = switch (backend) {
            case "file-direct" -> true;
            case "file-buffered" -> false;
            default -> throw new IllegalArgumentException("backend: " + backend
                    + " (expected: null, file-direct or file-buffered)");
        };
        dir = Files.createTempDirectory(Path.of(System.getProperty("tidemark.bench.dir",
                System.getProperty("java.io.tmpdir"))), "scsi-bench");
        Path image = dir.resolve("bench.img");
        FileStore.create(image, VOLUME_BYTES, StoreOptions.DEFAULTS.withDirectIo(direct)).close();
        BlockDeviceUnit fileUnit = BlockDeviceUnit.openFile(image, dir.resolve("bench.pr"), direct);
        ByteBuffer chunk = AlignedBuffers.allocate(1 << 20);
        for (long lba = 0; lba < fileUnit.blockCount(); lba += chunk.capacity() / LOGICAL_BLOCK) {
            fileUnit.write(lba, chunk.duplicate(), false).join();
        }
        fileUnit.flush().join();
        return fileUnit;
    }

    /** A fresh nexus may owe a unit attention; the timed commands must all be plain GOOD ones. */
    private void drainUnitAttentions() {
        ScsiResponse response = null;
        for (int i = 0; i < 8; i++) {
            response = device.execute(new ScsiCommand(nexus, i, 0, new byte[6], TaskAttribute.SIMPLE, 0, NO_DATA)).join();
            if (response.status() == ScsiResponse.GOOD) {
                return;
            }
        }
        throw new IllegalStateException("TEST UNIT READY still answers status " + response.status()
                + " with sense " + HexFormat.of().formatHex(response.sense()));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        device.nexusLost(nexus);
        if (unit instanceof BlockDeviceUnit fileUnit) {
            fileUnit.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** One initiator's task tags, data buffer and random LBAs. Not thread-safe: one per benchmark thread. */
    @State(Scope.Thread)
    public static class Initiator {
        ByteBuffer data;
        long taskTag;
        private long random;

        @Setup(Level.Trial)
        public void allocate(ScsiTargetDeviceBenchmark bench) {
            data = AlignedBuffers.allocate(bench.blockBytes);
            for (int i = 0; i < bench.blockBytes; i++) {
                data.put(i, (byte) 0xa5);
            }
            random = ThreadLocalRandom.current().nextLong() | 1;
        }

        /** Restarts the LBA sequence (tests replay it to read back what they wrote). */
        void seed(long seed) {
            random = seed | 1;
        }

        /** First LBA of a uniformly chosen I/O slot (xorshift64). */
        long nextLba(ScsiTargetDeviceBenchmark bench) {
            long x = random;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            random = x;
            return Long.remainderUnsigned(x, bench.slots) * (bench.blockBytes / LOGICAL_BLOCK);
        }
    }

    static byte[] cdb10(int opcode, long lba, int blocks) {
        byte[] cdb = new byte[10];
        cdb[0] = (byte) opcode;
        cdb[2] = (byte) (lba >>> 24);
        cdb[3] = (byte) (lba >>> 16);
        cdb[4] = (byte) (lba >>> 8);
        cdb[5] = (byte) lba;
        cdb[7] = (byte) (blocks >>> 8);
        cdb[8] = (byte) blocks;
        return cdb;
    }

    private static ScsiResponse good(ScsiResponse response) {
        if (response.status() != ScsiResponse.GOOD) {
            throw new IllegalStateException("status " + response.status() + ", sense "
                    + HexFormat.of().formatHex(response.sense()));
        }
        return response;
    }

    @Benchmark
    public ScsiResponse read10(Initiator initiator) {
        byte[] cdb = cdb10(READ_10, initiator.nextLba(this), blockBytes / LOGICAL_BLOCK);
        return good(device.execute(new ScsiCommand(nexus, initiator.taskTag++, 0, cdb, TaskAttribute.SIMPLE,
                blockBytes, NO_DATA)).join());
    }

    @Benchmark
    public ScsiResponse write10(Initiator initiator) {
        byte[] cdb = cdb10(WRITE_10, initiator.nextLba(this), blockBytes / LOGICAL_BLOCK);
        return good(device.execute(new ScsiCommand(nexus, initiator.taskTag++, 0, cdb, TaskAttribute.SIMPLE,
                blockBytes, initiator.data.duplicate())).join());
    }
}
