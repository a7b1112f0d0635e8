package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * QEMU's own iSCSI initiator (qemu-img, qemu-io through libiscsi) against a real appliance:
 * whole-image copies in and out, pattern writes and reads over every byte of a LUN with header
 * digests on and off (the negotiated value checked in libiscsi's login trace), concurrent
 * sessions on one LUN, and discovery of targets and LUNs with their capacity.
 */
@ExtendWith(ApplianceLogOnFailure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class QemuIT {

    private static final long MIB = 1L << 20;
    private static final long IMAGE_BYTES = 256 * MIB;
    private static final long PATTERN_LUN_BYTES = 128 * MIB;
    private static final long REGION_BYTES = 4 * MIB;
    private static final int SECTOR = 512;
    private static final Duration TOOL_DEADLINE = Duration.ofMinutes(5);
    /** libiscsi logs each key of the target's login reply at this level. */
    private static final Map<String, String> LOGIN_TRACE = Map.of("LIBISCSI_DEBUG", "6");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private ApplianceProcess appliance;

    @BeforeAll
    void startAppliance() {
        appliance = ApplianceProcess.start(work.resolve("appliance"));
    }

    @AfterAll
    void stopAppliance() {
        if (appliance != null) {
            appliance.close();
        }
    }

    @Test
    void qemuImgConvertCopiesA256MiBRandomImageIntoALunAndBackByteForByte() throws IOException {
        Volume volume = appliance.api().createVolume("convert", IMAGE_BYTES);
        String url = appliance.lunUrl(volume);
        Path source = work.resolve("random.img");
        Path back = work.resolve("back.img");
        writeRandomFile(source, IMAGE_BYTES, 20261121L);

        ToolRun in = ExternalTool.QEMU_IMG.run(work, TOOL_DEADLINE, "convert", "-n", "-f", "raw", "-O", "raw",
                source.toString(), url);
        assertThat(in.succeeded()).as("copy into the LUN: %s", in.describe()).isTrue();
        ToolRun out = ExternalTool.QEMU_IMG.run(work, TOOL_DEADLINE, "convert", "-f", "raw", "-O", "raw",
                url, back.toString());
        assertThat(out.succeeded()).as("copy out of the LUN: %s", out.describe()).isTrue();

        assertThat(Files.size(back)).as("size of the copy read back").isEqualTo(IMAGE_BYTES);
        assertThat(sha256(back)).as("SHA-256 of the image read back from %s", url).isEqualTo(sha256(source));
    }

    @ParameterizedTest(name = "header digest {0}")
    @ValueSource(strings = {"crc32c", "none"})
    void qemuIoPatternWritesReadBackOverTheWholeLun(String headerDigest) {
        Volume volume = appliance.api().createVolume("pattern-" + headerDigest, PATTERN_LUN_BYTES);
        String opts = "driver=iscsi,transport=tcp,portal=" + appliance.portal()
                + ",target=" + volume.targetIqn(ApplianceProcess.IQN_PREFIX) + ",lun=" + volume.lun()
                + ",header-digest=" + headerDigest
                + ",initiator-name=iqn.2026-11.io.tidemark.test:qemu-io-" + headerDigest;
        String expectedDigest = headerDigest.equals("crc32c") ? "CRC32C" : "None";

        List<String> writes = new ArrayList<>();
        List<String> reads = new ArrayList<>();
        int regions = (int) (PATTERN_LUN_BYTES / REGION_BYTES);
        for (int region = 0; region < regions; region++) {
            writes.add("write -P " + pattern(region) + " " + region * REGION_BYTES + " " + REGION_BYTES);
        }
        // then sector-sized and boundary-crossing writes on top: misplaced sectors show up as a mismatch
        long lastSector = PATTERN_LUN_BYTES - SECTOR;
        long boundary = REGION_BYTES;
        writes.add("write -P 0xee " + lastSector + " " + SECTOR);
        writes.add("write -P 0xdd " + (boundary - 3 * SECTOR) + " " + 7 * SECTOR);
        writes.add("flush");
        for (int region = 0; region < regions; region++) {
            long start = region * REGION_BYTES;
            long end = start + REGION_BYTES;
            if (region == 0) {
                end = boundary - 3 * SECTOR;
            } else if (region == 1) {
                start = boundary + 4 * SECTOR;
            } else if (region == regions - 1) {
                end = lastSector;
            }
            reads.add("read -P " + pattern(region) + " " + start + " " + (end - start));
        }
        reads.add("read -P 0xee " + lastSector + " " + SECTOR);
        reads.add("read -P 0xdd " + (boundary - 3 * SECTOR) + " " + 7 * SECTOR);

        ToolRun written = qemuIo(opts, writes);
        assertThat(written.succeeded()).as(written.describe()).isTrue();
        assertThat(written.stderr()).as("negotiated HeaderDigest").contains("TargetLoginReply: HeaderDigest=" + expectedDigest);
        // a new session reads, so nothing can come from the first session's state
        ToolRun read = qemuIo(opts, reads);
        assertThat(read.output()).as("pattern check of every byte of %s", volume.name())
                .doesNotContain("Pattern verification failed");
        assertThat(read.succeeded()).as(read.describe()).isTrue();
        assertThat(read.stderr()).as("negotiated HeaderDigest").contains("TargetLoginReply: HeaderDigest=" + expectedDigest);
    }

    @Test
    void concurrentSessionsWritingDisjointRegionsAllSeeEveryOnesData() {
        int sessions = 8;
        Volume volume = appliance.api().createVolume("many-writers", sessions * REGION_BYTES);
        String url = appliance.lunUrl(volume);

        // one thread per session: the common pool has a single thread on a 2-core machine
        ExecutorService threads = Executors.newFixedThreadPool(sessions);
        try {
            List<CompletableFuture<ToolRun>> writers = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                String write = "write -P " + pattern(i) + " " + i * REGION_BYTES + " " + REGION_BYTES;
                writers.add(CompletableFuture.supplyAsync(() -> QemuIo.assertRuns(work, url, write, "flush"), threads));
            }
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).orTimeout(5, TimeUnit.MINUTES).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof AssertionError failed) {
                throw failed;
            }
            throw e;
        } finally {
            threads.shutdownNow();
        }

        List<String> reads = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            reads.add("read -P " + pattern(i) + " " + i * REGION_BYTES + " " + REGION_BYTES);
        }
        QemuIo.assertRuns(work, url, reads.toArray(String[]::new));
    }

    @Test
    void iscsiLsDiscoversEveryTargetAndLunIncludingVolumesCreatedWhileRunning() {
        ApplianceApi api = appliance.api();
        Volume alone = api.createVolume("disc-alone", 64 * MIB);
        Volume first = api.createVolume("disc-first", 32 * MIB, "shared", null);
        Volume second = api.createVolume("disc-second", 48 * MIB, "shared", null);

        ToolRun ls = ExternalTool.ISCSI_LS.run(work, Duration.ofMinutes(2), "-s",
                "-i", "iqn.2026-11.io.tidemark.test:iscsi-ls", appliance.portalUrl());

        assertThat(ls.succeeded()).as(ls.describe()).isTrue();
        assertThat(List.of(alone.sizeBytes(), first.sizeBytes(), second.sizeBytes()))
                .as("sizes the API reports").containsExactly(64 * MIB, 32 * MIB, 48 * MIB);
        Discovery found = Discovery.parse(ls.stdout());
        assertThat(found.targets()).as("the demo volume's target (no config: embedded defaults)\n%s", ls.stdout())
                .contains(ApplianceProcess.IQN_PREFIX + ":demo");
        String portal = appliance.portal() + ",";
        assertThat(found.portals(alone.targetIqn(ApplianceProcess.IQN_PREFIX))).as(ls.describe())
                .anyMatch(p -> p.startsWith(portal));
        assertThat(found.luns(ApplianceProcess.IQN_PREFIX + ":shared").keySet()).as(ls.describe())
                .containsExactlyInAnyOrder(first.lun(), second.lun());
        for (Volume volume : List.of(alone, first, second)) {
            String target = volume.targetIqn(ApplianceProcess.IQN_PREFIX);
            assertThat(found.luns(target).get(volume.lun())).as("LUN %d of %s in:\n%s", volume.lun(), target, ls.stdout())
                    .startsWith("DIRECT_ACCESS");
            assertCapacity(volume);
        }
        assertThat(first.targetIqn(ApplianceProcess.IQN_PREFIX)).isEqualTo(ApplianceProcess.IQN_PREFIX + ":shared");
        assertThat(second.lun()).as("second volume of a target takes the next free LUN").isEqualTo(first.lun() + 1);
        for (Volume volume : List.of(alone, first, second)) {
            assertThat(volume.url()).as("listed URL of %s", volume.name())
                    .startsWith("iscsi://")
                    .contains(":" + appliance.iscsiPort() + "/")
                    .endsWith("/" + volume.targetIqn(ApplianceProcess.IQN_PREFIX) + "/" + volume.lun());
        }
    }

    /** READ CAPACITY(16): exact size, 512-byte blocks, 4096-byte physical blocks, thin (LBPME). */
    private void assertCapacity(Volume volume) {
        ToolRun capacity = ExternalTool.ISCSI_READCAPACITY16.run(work, Duration.ofMinutes(1),
                "-i", "iqn.2026-11.io.tidemark.test:readcapacity", appliance.lunUrl(volume));
        assertThat(capacity.succeeded()).as(capacity.describe()).isTrue();
        assertThat(capacity.stdout()).as("READ CAPACITY(16) of %s", volume.name())
                .contains("Total size:" + volume.sizeBytes())
                .contains("LOGICAL BLOCK LENGTH IN BYTES:512")
                .contains("LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT:3")
                .contains("LBPME:1");
    }

    private ToolRun qemuIo(String imageOpts, List<String> commands) {
        List<String> args = new ArrayList<>(List.of("--image-opts"));
        commands.forEach(c -> args.addAll(List.of("-c", c)));
        args.add(imageOpts);
        return ExternalTool.QEMU_IO.run(work, TOOL_DEADLINE, LOGIN_TRACE, args);
    }

    /** A distinct, non-zero byte per region, so data landing in the wrong region is caught. */
    private static String pattern(int region) {
        return String.format("0x%02x", 0x11 + region * 7 % 0xe0);
    }

    private static void writeRandomFile(Path file, long bytes, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[(int) MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < bytes; done += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[(int) MIB];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
