package io.tidemark.appliance.lun;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.journal.GroupConfig;
import io.tidemark.journal.JournalReader;
import io.tidemark.journal.RecordType;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournaledUnitTest {

    private static final int BLOCK = 512;
    private static final long BLOCKS = 8192;
    private static final long TIMEOUT_S = 60;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private JournaledUnit unit;
    private ExecutorService pool;

    @BeforeEach
    void open() throws Exception {
        FileStore.create(dir.resolve("v.img"), BLOCKS * BLOCK, StoreOptions.DEFAULTS).close();
        unit = openUnit();
        pool = Executors.newFixedThreadPool(8);
    }

    private JournaledUnit openUnit() throws Exception {
        return JournaledUnit.openFile(dir.resolve("v.img"), dir.resolve("v.pr"), true,
                GroupConfig.defaults("v", 1, dir.resolve("v.journal")), registry);
    }

    @AfterEach
    void close() throws Exception {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        if (unit != null) {
            unit.close();
        }
    }

    @Test
    void everyWriteTypeIsJournaledInOrderAndReadsBack() throws Exception {
        unit.write(10, block(1, 2), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        unit.writeSame(20, 4, block(9, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        unit.writeSame(30, 4, ByteBuffer.allocate(BLOCK), true).get(TIMEOUT_S, TimeUnit.SECONDS);
        unit.unmap(10, 1).get(TIMEOUT_S, TimeUnit.SECONDS);
        unit.compareAndWrite(11, block(1, 2).position(BLOCK).slice(), block(7, 1)).get(TIMEOUT_S, TimeUnit.SECONDS);
        unit.flush().get(TIMEOUT_S, TimeUnit.SECONDS);

        List<RecordType> types = new ArrayList<>();
        try (JournalReader reader = unit.group().newReader()) {
            while (reader.next() == JournalReader.Step.RECORD) {
                types.add(reader.record().type());
            }
        }
        assertThat(types).containsExactly(RecordType.WRITE, RecordType.WRITE_SAME, RecordType.UNMAP, RecordType.UNMAP,
                RecordType.COMPARE_AND_WRITE);
        assertThat(read(10, 1)).isEqualTo(ByteBuffer.allocate(BLOCK));
        assertThat(read(11, 1)).isEqualTo(block(7, 1));
        assertThat(read(23, 1)).isEqualTo(block(9, 1));
        assertThat(unit.group().durableSequence()).isEqualTo(5);
    }

    @Test
    void compareAndWriteIncrementsFromManyThreadsNeverLoseAnUpdate() throws Exception {
        int threads = 6;
        int incrementsPerThread = 60;
        long lba = 77;
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(pool.submit(() -> {
                for (int done = 0; done < incrementsPerThread; ) {
                    ByteBuffer current = read(lba, 1);
                    ByteBuffer next = ByteBuffer.allocate(BLOCK).putLong(0, current.getLong(0) + 1);
                    if (unit.compareAndWrite(lba, current, next).get(TIMEOUT_S, TimeUnit.SECONDS) < 0) {
                        done++;
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        assertThat(read(lba, 1).getLong(0)).isEqualTo((long) threads * incrementsPerThread);
    }

    @Test
    void fuaWriteIsDurableInTheJournalWhenItCompletes() throws Exception {
        unit.write(5, block(5, 1), true).get(TIMEOUT_S, TimeUnit.SECONDS);

        assertThat(unit.group().durableSequence()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void writesSurviveACrashThroughTheJournal() throws Exception {
        for (int i = 0; i < 20; i++) {
            unit.write(i * 4L, block(i, 4), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        unit.flush().get(TIMEOUT_S, TimeUnit.SECONDS);
        unit.group().abandon();
        unit.device().close();

        unit = openUnit();

        for (int i = 0; i < 20; i++) {
            assertThat(read(i * 4L, 4)).as("write %d", i).isEqualTo(block(i, 4));
        }
        assertThat(unit.group().appendedSequence()).isEqualTo(20);
    }

    @Test
    void growIsVisibleAtOnceAndWritesReachTheNewBlocks() throws Exception {
        unit.grow((BLOCKS + 64) * BLOCK);

        unit.write(BLOCKS + 10, block(3, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);

        assertThat(unit.blockCount()).isEqualTo(BLOCKS + 64);
        assertThat(read(BLOCKS + 10, 1)).isEqualTo(block(3, 1));
    }

    @Test
    void outOfRangeWriteFailsTheFutureOnly() throws Exception {
        assertThat(unit.write(BLOCKS, block(1, 1), false)).failsWithin(TIMEOUT_S, TimeUnit.SECONDS);
        unit.write(0, block(1, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);
    }

    @Test
    void journalMetricsAreRegisteredPerVolume() throws Exception {
        unit.write(0, block(1, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);

        assertThat(registry.get("tidemark.journal.appends").tags("group", "v", "volume", "v").counter().count())
                .isEqualTo(1);
    }

    @Test
    void journaledLunPassesLibiscsiConformanceWithoutUnexpectedSkips() throws Exception {
        Path tool = Path.of("/usr/bin/iscsi-test-cu");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(tool),
                "iscsi-test-cu (libiscsi-bin) is not installed");
        String iqn = "iqn.2026-11.io.tidemark:journaled";
        io.tidemark.iscsi.TargetRegistry targets = new io.tidemark.iscsi.TargetRegistry();
        io.tidemark.iscsi.TargetNode node = targets.add(new io.tidemark.iscsi.TargetNode(iqn, "journaled", null,
                java.util.Set.of()));
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = 42;
        node.addLun(new io.tidemark.iscsi.spi.LunDescriptor(0, "journaled", naa, true, unit));
        try (io.tidemark.iscsi.IscsiServer server = new io.tidemark.iscsi.IscsiServer(targets,
                new io.tidemark.iscsi.IscsiSettings("127.0.0.1", 0, 1, null))) {
            server.start();
            String url = "iscsi://127.0.0.1:" + server.localAddress().getPort() + "/" + iqn + "/0";
            Path log = dir.resolve("iscsi-test-cu.log");
            Process p = new ProcessBuilder(tool.toString(), "-d", "-n", url, url).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            assertThat(p.waitFor(15, TimeUnit.MINUTES)).as("iscsi-test-cu finished").isTrue();
            List<String> lines = java.nio.file.Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
            List<String> failures = lines.stream().filter(l -> l.contains("had failures")).toList();
            List<String> unexpectedSkips = lines.stream().filter(l -> l.contains("[SKIPPED]"))
                    .filter(l -> !l.matches(".*(allow-sanitize|not removable|Media is not removable|not write-protected"
                            + "|WRITEATOMIC16|READDEFECTDATA1[02]).*")).toList();
            String tests = lines.stream().filter(l -> l.trim().startsWith("tests")).findFirst().orElse("");
            assertThat(failures).as("failed tests").isEmpty();
            assertThat(unexpectedSkips).as("unexpected skips").isEmpty();
            // "tests  Total  Ran  Passed  Failed  Inactive": nothing failed
            String[] columns = tests.trim().split("\\s+");
            assertThat(columns).as(tests).hasSize(6);
            assertThat(columns[4]).as(tests).isEqualTo("0");
        }
    }

    private ByteBuffer read(long lba, int blocks) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(blocks * BLOCK);
        unit.read(lba, b).get(TIMEOUT_S, TimeUnit.SECONDS);
        return b.clear();
    }

    private static ByteBuffer block(int seed, int blocks) {
        ByteBuffer b = ByteBuffer.allocate(blocks * BLOCK);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) (seed * 17 + i * 3 + (i >>> 9)));
        }
        return b;
    }
}
