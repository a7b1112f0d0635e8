package io.tidemark.appliance.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.config.ConfigLoader;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.iscsi.spi.LunDescriptor;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VolumeCatalogTest {

    private static final long MIB = 1L << 20;
    private static final String PREFIX = "iqn.2026-11.io.tidemark:";

    @TempDir
    Path dir;

    private TargetRegistry registry = new TargetRegistry();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private VolumeCatalog catalog;
    private final ApplianceConfig config = ConfigLoader.load("""
            target.secure.chap.user = esx
            target.secure.chap.secret = 0123456789ab
            target.secure.allowed-initiators = iqn.1998-01.com.vmware:esx1
            target.secure.alias = Secure disks
            volume.safe.durability = write-through
            """, "test.conf", List.of());

    private VolumeCatalog open() throws Exception {
        registry = new TargetRegistry();
        catalog = VolumeCatalog.open(dir, new JournaledStorage(true, config.journal(), meters),
                new TargetProvisioner(registry, config));
        return catalog;
    }

    @AfterEach
    void closeCatalog() {
        if (catalog != null) {
            catalog.close();
        }
    }

    private TargetNode target(String name) {
        return registry.target(PREFIX + name).orElseThrow();
    }

    private static long allocatedBytes(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b*%B", file.toString()).start();
        String[] out = new String(stat.getInputStream().readAllBytes()).trim().split("\\*");
        assertThat(stat.waitFor()).isZero();
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }

    @Test
    void shouldCreateASparseVolumeServedAsLun0OfItsOwnTarget() throws Exception {
        open();
        Volume v = catalog.create("v1", 64 * MIB, null, null);

        assertThat(v.targetIqn()).isEqualTo(PREFIX + "v1");
        assertThat(v.lun()).isZero();
        Path image = dir.resolve("v1.img");
        assertThat(v.image()).isEqualTo(image.toAbsolutePath());
        assertThat(Files.size(image)).isEqualTo(64 * MIB);
        assertThat(allocatedBytes(image)).as("allocated bytes").isLessThan(MIB);
        LunDescriptor lun = target("v1").lun(0).orElseThrow();
        assertThat(lun.name()).isEqualTo("v1");
        assertThat(lun.thin()).isTrue();
        assertThat(lun.unit().blockCount()).isEqualTo(64 * MIB / 512);
        assertThat(NaaId.toHex(lun.naaId())).isEqualTo(v.naaId());

        JsonNode meta = new ObjectMapper().readTree(dir.resolve("v1.json").toFile());
        assertThat(meta.path("name").asText()).isEqualTo("v1");
        assertThat(meta.path("sizeBytes").asLong()).isEqualTo(64 * MIB);
        assertThat(meta.path("naaId").asText()).isEqualTo(v.naaId()).startsWith("6");
        assertThat(meta.path("target").asText()).isEqualTo("v1");
        assertThat(meta.path("lun").asInt()).isZero();
    }

    @Test
    void shouldReopenVolumesWithTheSameNaaIdTargetLunAndData() throws Exception {
        open();
        Volume v = catalog.create("v1", 4 * MIB, null, null);
        Volume w = catalog.create("w1", 4 * MIB, "shared", 3);
        ByteBuffer data = ByteBuffer.wrap("persisted".repeat(57).getBytes(), 0, 512);
        target("v1").lun(0).orElseThrow().unit().write(7, data, true).join();
        catalog.close();

        open();
        assertThat(catalog.list()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("journal")
                .containsExactly(v, w);
        LunDescriptor lun = target("v1").lun(0).orElseThrow();
        assertThat(NaaId.toHex(lun.naaId())).isEqualTo(v.naaId());
        assertThat(target("shared").lun(3).orElseThrow().name()).isEqualTo("w1");
        ByteBuffer read = ByteBuffer.allocate(512);
        lun.unit().read(7, read).join();
        assertThat(new String(read.array(), 0, 9)).isEqualTo("persisted");
    }

    @Test
    void shouldPutVolumesOfOneTargetAtTheLowestFreeLun() throws Exception {
        open();
        assertThat(catalog.create("a", MIB, "group", null).lun()).isZero();
        assertThat(catalog.create("b", MIB, "group", 5).lun()).isEqualTo(5);
        assertThat(catalog.create("c", MIB, "group", null).lun()).isEqualTo(1);
        catalog.delete("a");
        assertThat(catalog.create("d", MIB, "group", null).lun()).isZero();
        assertThat(target("group").luns()).extracting(LunDescriptor::name).containsExactly("d", "c", "b");
    }

    @Test
    void shouldApplyConfiguredTargetSettingsWhenCreatingTheTarget() throws Exception {
        open();
        TargetNode secure = target("secure");
        assertThat(secure.alias()).isEqualTo("Secure disks");
        assertThat(secure.chap()).contains(new TargetNode.ChapCredentials("esx", "0123456789ab", null, null));
        assertThat(secure.allows("iqn.1998-01.com.vmware:esx1")).isTrue();
        assertThat(secure.allows("iqn.1998-01.com.vmware:esx2")).isFalse();
        catalog.create("db", MIB, "secure", null);
        assertThat(target("secure").lun(0)).isPresent();
        assertThat(registry.target(PREFIX + "db")).isEmpty();
    }

    @Test
    void shouldRefuseASecondVolumeOfTheSameName() throws Exception {
        open();
        catalog.create("v1", MIB, null, null);
        assertThatThrownBy(() -> catalog.create("v1", 2 * MIB, null, null))
                .isInstanceOfSatisfying(VolumeException.class, e -> assertThat(e.reason()).isEqualTo(VolumeException.Reason.CONFLICT))
                .hasMessage("volume v1 already exists");
        assertThat(Files.size(dir.resolve("v1.img"))).isEqualTo(MIB);
    }

    @Test
    void shouldRefuseATakenLun() throws Exception {
        open();
        catalog.create("a", MIB, "t", 2);
        assertThatThrownBy(() -> catalog.create("b", MIB, "t", 2))
                .hasMessage("LUN 2 of " + PREFIX + "t is taken by volume a");
        assertThat(dir.resolve("b.img")).doesNotExist();
        assertThat(dir.resolve("b.json")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "V1", "-v", "v_1", "a.b", "0123456789012345678901234567890123456789012345678901234567890123"})
    void shouldRefuseBadNames(String name) throws Exception {
        open();
        assertThatThrownBy(() -> catalog.create(name, MIB, null, null))
                .isInstanceOfSatisfying(VolumeException.class, e -> assertThat(e.reason()).isEqualTo(VolumeException.Reason.INVALID))
                .hasMessage("name: " + name + " (expected: [a-z0-9][a-z0-9-]{0,62})");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 512, MIB - 512, MIB + 1, (64L << 40) + 512})
    void shouldRefuseBadSizes(long size) throws Exception {
        open();
        assertThatThrownBy(() -> catalog.create("v", size, null, null))
                .hasMessage("size: " + size + " (expected: a multiple of 512 bytes from 1M to 64T)");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 16384})
    void shouldRefuseLunsOutOfRange(int lun) throws Exception {
        open();
        assertThatThrownBy(() -> catalog.create("v", MIB, null, lun)).hasMessage("lun: " + lun + " (expected: 0..16383)");
    }

    @Test
    void shouldGrowAVolumeSoTheLunSeesTheNewCapacityAtOnce() throws Exception {
        open();
        catalog.create("v1", MIB, null, null);
        LunDescriptor lun = target("v1").lun(0).orElseThrow();

        Volume grown = catalog.resize("v1", 3 * MIB);

        assertThat(grown.sizeBytes()).isEqualTo(3 * MIB);
        assertThat(lun.unit().blockCount()).isEqualTo(3 * MIB / 512);
        assertThat(Files.size(dir.resolve("v1.img"))).isEqualTo(3 * MIB);
        catalog.close();
        open();
        assertThat(catalog.get("v1").sizeBytes()).isEqualTo(3 * MIB);
        assertThat(target("v1").lun(0).orElseThrow().unit().blockCount()).isEqualTo(3 * MIB / 512);
    }

    @Test
    void shouldRefuseToShrink() throws Exception {
        open();
        catalog.create("v1", 2 * MIB, null, null);
        assertThatThrownBy(() -> catalog.resize("v1", MIB))
                .isInstanceOfSatisfying(VolumeException.class, e -> assertThat(e.reason()).isEqualTo(VolumeException.Reason.CONFLICT))
                .hasMessage("size: 1M is smaller than volume v1's 2M (expected: at least 2M; volumes only grow)");
        assertThat(catalog.get("v1").sizeBytes()).isEqualTo(2 * MIB);
    }

    @Test
    void shouldTreatResizeToTheSameSizeAsNoChange() throws Exception {
        open();
        Volume v = catalog.create("v1", 2 * MIB, null, null);
        assertThat(catalog.resize("v1", 2 * MIB)).usingRecursiveComparison().ignoringFields("journal").isEqualTo(v);
    }

    @Test
    void shouldDeleteTheLunBeforeTheFilesAndDropTheEmptyTarget() throws Exception {
        open();
        catalog.create("v1", MIB, null, null);
        Files.write(dir.resolve("v1.pr"), new byte[] {1});

        catalog.delete("v1");

        assertThat(registry.target(PREFIX + "v1")).isEmpty();
        assertThat(dir.resolve("v1.img")).doesNotExist();
        assertThat(dir.resolve("v1.json")).doesNotExist();
        assertThat(dir.resolve("v1.pr")).doesNotExist();
        assertThat(dir.resolve("v1.journal")).doesNotExist();
        assertThat(catalog.list()).isEmpty();
    }

    @Test
    void shouldKeepConfiguredTargetsWhenTheirLastVolumeGoes() throws Exception {
        open();
        catalog.create("v1", MIB, "secure", null);
        catalog.delete("v1");
        assertThat(target("secure").luns()).isEmpty();
    }

    @Test
    void shouldAnswerNotFoundForUnknownVolumes() throws Exception {
        open();
        for (Runnable call : List.<Runnable>of(() -> catalog.get("nope"), () -> catalog.delete("nope"),
                () -> catalog.resize("nope", 2 * MIB))) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(VolumeException.class, e -> assertThat(e.reason()).isEqualTo(VolumeException.Reason.NOT_FOUND))
                    .hasMessage("no volume named nope");
        }
    }

    @Test
    void shouldRefuseToOpenCorruptMetadataNamingTheFile() throws Exception {
        Files.writeString(dir.resolve("bad.json"), "{not json");
        assertThatThrownBy(this::open).hasMessageStartingWith("volume metadata " + dir.resolve("bad.json") + " is unreadable");
        assertThat(registry.targets()).allSatisfy(t -> assertThat(t.luns()).isEmpty());
    }

    @Test
    void shouldRefuseToOpenAVolumeWhoseImageIsMissing() throws Exception {
        open();
        catalog.create("v1", MIB, null, null);
        catalog.close();
        Files.delete(dir.resolve("v1.img"));
        assertThatThrownBy(this::open).hasMessageContaining("image " + dir.resolve("v1.img") + " is missing");
    }

    @Test
    void shouldFinishAResizeInterruptedAfterTheMetadataWasWritten() throws Exception {
        open();
        catalog.create("v1", MIB, null, null);
        catalog.resize("v1", 2 * MIB);
        catalog.close();
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("v1.img").toFile(), "rw")) {
            raf.setLength(MIB);
        }
        open();
        assertThat(Files.size(dir.resolve("v1.img"))).isEqualTo(2 * MIB);
        assertThat(target("v1").lun(0).orElseThrow().unit().blockCount()).isEqualTo(2 * MIB / 512);
    }

    @Test
    void shouldReplaceAnImageLeftByAnInterruptedCreate() throws Exception {
        Files.write(dir.resolve("v1.img"), new byte[] {42});
        open();
        assertThat(catalog.list()).isEmpty();
        catalog.create("v1", MIB, null, null);
        assertThat(Files.size(dir.resolve("v1.img"))).isEqualTo(MIB);
    }

    @Test
    void shouldTakeEveryLunOffItsTargetOnClose() throws Exception {
        open();
        catalog.create("v1", MIB, null, null);
        catalog.close();
        assertThat(target("v1").luns()).isEmpty();
        assertThatThrownBy(() -> catalog.create("v2", MIB, null, null)).hasMessage("the appliance is shutting down");
    }

    @Test
    void shouldJournalEveryWriteInTheVolumesOwnJournalDirectory() throws Exception {
        open();
        catalog.create("v1", MIB, null, null);
        LunDescriptor lun = target("v1").lun(0).orElseThrow();
        lun.unit().write(3, ByteBuffer.wrap(new byte[512]), true).join();
        lun.unit().write(4, ByteBuffer.wrap(new byte[1024]), false).join();

        JournalStatus j = catalog.get("v1").journal();
        assertThat(j.appended()).isEqualTo(2);
        // a write completes once journaled; the store applies it behind (reads wait for it)
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (j.applied() < 2 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            j = catalog.get("v1").journal();
        }
        assertThat(j.applied()).isEqualTo(2);
        assertThat(j.durable()).isGreaterThanOrEqualTo(1);
        assertThat(j.durability()).isEqualTo("write-back");
        assertThat(Path.of(j.directory())).isEqualTo(dir.resolve("v1.journal").toAbsolutePath());
        try (var files = Files.list(dir.resolve("v1.journal"))) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.endsWith(".cq4"));
        }
        catalog.close();

        open();
        JournalStatus reopened = catalog.get("v1").journal();
        assertThat(reopened.checkpointed()).as("checkpoint after a clean close").isEqualTo(2);
        assertThat(reopened.groupId()).isEqualTo(j.groupId());
    }

    @Test
    void shouldPersistAGroupIdAtCreationAndKeepItForTheVolumesLife() throws Exception {
        open();
        Volume v = catalog.create("v1", MIB, null, null);
        Volume w = catalog.create("w1", MIB, null, null);
        int id = new ObjectMapper().readTree(dir.resolve("v1.json").toFile()).path("groupId").asInt();
        assertThat(id).isPositive().isEqualTo(v.journal().groupId());
        assertThat(w.journal().groupId()).isPositive().isNotEqualTo(id);
        catalog.resize("v1", 2 * MIB);
        catalog.close();
        open();
        assertThat(catalog.get("v1").journal().groupId()).isEqualTo(id);
        assertThat(new ObjectMapper().readTree(dir.resolve("v1.json").toFile()).path("groupId").asInt()).isEqualTo(id);
    }

    @Test
    void shouldAssignAGroupIdOnceToMetadataWrittenBeforeJournaling() throws Exception {
        Files.writeString(dir.resolve("old.json"), """
                {"version": 1, "name": "old", "sizeBytes": 1048576, "naaId": "6001405a1b2c3d4e5f60718293a4b5c6",
                 "target": "old", "lun": 0, "createdAt": "2026-11-01T00:00:00Z"}
                """);
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("old.img").toFile(), "rw")) {
            raf.setLength(MIB);
        }
        open();
        int id = catalog.get("old").journal().groupId();
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("old.json").toFile());
        assertThat(id).isPositive();
        assertThat(meta.path("groupId").asInt()).isEqualTo(id);
        assertThat(meta.path("version").asInt()).isEqualTo(VolumeMetadata.CURRENT_VERSION);
        assertThat(meta.path("naaId").asText()).isEqualTo("6001405a1b2c3d4e5f60718293a4b5c6");
        catalog.close();
        open();
        assertThat(catalog.get("old").journal().groupId()).isEqualTo(id);
    }

    @Test
    void shouldStartANewVolumeWithAnEmptyJournalWhenAnInterruptedDeleteLeftTheOldOne() throws Exception {
        open();
        catalog.create("v1", MIB, null, null);
        ByteBuffer data = ByteBuffer.wrap("stale".repeat(103).getBytes(), 0, 512);
        target("v1").lun(0).orElseThrow().unit().write(0, data, true).join();
        catalog.close();
        Files.delete(dir.resolve("v1.json")); // the delete stopped right after the metadata went

        open();
        catalog.create("v1", MIB, null, null);
        assertThat(catalog.get("v1").journal().appended()).isZero();
        ByteBuffer read = ByteBuffer.allocate(512);
        target("v1").lun(0).orElseThrow().unit().read(0, read).join();
        assertThat(read.array()).containsOnly(0);
    }

    @Test
    void shouldMakeOnlyTheVolumeConfiguredWriteThroughWriteThrough() throws Exception {
        open();
        catalog.create("safe", MIB, null, null);
        catalog.create("fast", MIB, null, null);
        LunDescriptor safe = target("safe").lun(0).orElseThrow();
        safe.unit().write(0, ByteBuffer.wrap(new byte[512]), false).join();

        JournalStatus j = catalog.get("safe").journal();
        assertThat(j.durability()).isEqualTo("write-through");
        assertThat(j.durable()).as("durable when the write completed, without FUA").isEqualTo(1);
        assertThat(catalog.get("fast").journal().durability()).isEqualTo("write-back");
    }

    @Test
    void shouldRegisterEachVolumesJournalMetersAndRemoveThemWithTheVolume() throws Exception {
        open();
        catalog.create("v1", MIB, null, null);
        assertThat(meters.find("tidemark.journal.appends").tag("volume", "v1").counter()).isNotNull();
        catalog.delete("v1");
        assertThat(meters.find("tidemark.journal.appends").tag("volume", "v1").counter()).isNull();
    }
}
