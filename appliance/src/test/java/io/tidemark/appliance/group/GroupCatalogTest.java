package io.tidemark.appliance.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.config.ConfigLoader;
import io.tidemark.appliance.volume.JournaledStorage;
import io.tidemark.appliance.volume.TargetProvisioner;
import io.tidemark.appliance.volume.Volume;
import io.tidemark.appliance.volume.VolumeCatalog;
import io.tidemark.appliance.volume.VolumeException;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.journal.ConsistencyGroup;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCatalogTest {

    private static final long MIB = 1L << 20;
    private static final String PREFIX = "iqn.2026-11.io.tidemark:";

    @TempDir
    Path data;

    private final ApplianceConfig config = ConfigLoader.load("journal.checkpoint-interval = 1h\n", "test.conf", List.of());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TargetRegistry registry;
    private GroupedStorage storage;
    private GroupCatalog groups;
    private VolumeCatalog volumes;

    private void open() throws Exception {
        registry = new TargetRegistry();
        storage = new GroupedStorage(new JournaledStorage(false, config.journal(), meters), data.resolve("groups"),
                false, config.journal(), meters);
        groups = GroupCatalog.load(data.resolve("groups"), storage);
        volumes = VolumeCatalog.open(data.resolve("volumes"), storage, new TargetProvisioner(registry, config));
        groups.attach(volumes);
    }

    private void close() {
        if (volumes != null) {
            volumes.close();
            storage.close();
            volumes = null;
        }
    }

    @AfterEach
    void tearDown() {
        close();
    }

    private LogicalUnit unit(String volume) {
        return registry.target(PREFIX + volume).orElseThrow().lun(0).orElseThrow().unit();
    }

    private static ByteBuffer block(int fill) {
        byte[] b = new byte[512];
        Arrays.fill(b, (byte) fill);
        return ByteBuffer.wrap(b);
    }

    private static void write(LogicalUnit unit, long lba, int fill) throws Exception {
        unit.write(lba, block(fill), false).get(10, TimeUnit.SECONDS);
    }

    private static byte read(LogicalUnit unit, long lba) throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(512);
        unit.read(lba, dst).get(10, TimeUnit.SECONDS);
        return dst.get(0);
    }

    @Test
    void shouldMoveVolumesIntoOneSharedJournalKeepingTheirData() throws Exception {
        open();
        volumes.create("a", 4 * MIB, null, null);
        volumes.create("b", 4 * MIB, null, null);
        write(unit("a"), 1, 0x11);
        write(unit("b"), 2, 0x22);

        GroupMetadata g = groups.create("g1", List.of("b", "a"));

        assertThat(g.volumeNames()).containsExactly("b", "a");
        assertThat(g.volumes().get(0).id()).isNotEqualTo(g.volumes().get(1).id());
        assertThat(g.groupId()).isNotIn(g.volumes().get(0).id(), g.volumes().get(1).id());
        assertThat(data.resolve("groups/g1.json")).isRegularFile();
        assertThat(data.resolve("volumes/a.journal")).doesNotExist();
        assertThat(data.resolve("volumes/b.journal")).doesNotExist();
        assertThat(read(unit("a"), 1)).isEqualTo((byte) 0x11);
        assertThat(read(unit("b"), 2)).isEqualTo((byte) 0x22);

        ConsistencyGroup journal = groups.journal("g1").orElseThrow();
        long before = journal.appendedSequence();
        write(unit("a"), 3, 0x33);
        write(unit("b"), 3, 0x44);
        assertThat(journal.appendedSequence()).as("one sequence across both volumes").isEqualTo(before + 2);
        Volume a = volumes.get("a");
        assertThat(a.journal().groupId()).isEqualTo(g.groupId());
        assertThat(a.journal().directory()).endsWith("g1.journal");
        assertThat(volumes.list()).extracting(Volume::name).containsExactly("a", "b");
        assertThat(volumes.list()).extracting(Volume::group).containsExactly("g1", "g1");
    }

    @Test
    void shouldReopenGroupsAtStartWithTheirVolumesAndWrites() throws Exception {
        open();
        volumes.create("a", 4 * MIB, null, null);
        volumes.create("b", 4 * MIB, null, null);
        volumes.create("alone", 4 * MIB, null, null);
        GroupMetadata created = groups.create("g1", List.of("a", "b"));
        write(unit("a"), 5, 0x55);
        write(unit("b"), 6, 0x66);
        long appended = groups.journal("g1").orElseThrow().appendedSequence();
        close();

        open();

        assertThat(groups.list()).containsExactly(created);
        assertThat(groups.journal("g1").orElseThrow().appendedSequence()).isEqualTo(appended);
        assertThat(read(unit("a"), 5)).isEqualTo((byte) 0x55);
        assertThat(read(unit("b"), 6)).isEqualTo((byte) 0x66);
        assertThat(volumes.get("alone").journal().directory()).endsWith("alone.journal");
        write(unit("a"), 7, 0x77);
        assertThat(groups.journal("g1").orElseThrow().appendedSequence()).isEqualTo(appended + 1);
    }

    @Test
    void shouldRemoveAMembersOwnJournalLeftOverFromACrashWhileJoining() throws Exception {
        open();
        volumes.create("a", 4 * MIB, null, null);
        groups.create("g1", List.of("a"));
        write(unit("a"), 2, 0x2A);
        close();
        Files.createDirectories(data.resolve("volumes/a.journal"));

        open();

        assertThat(data.resolve("volumes/a.journal")).doesNotExist();
        assertThat(read(unit("a"), 2)).isEqualTo((byte) 0x2A);
    }

    @Test
    void shouldNameTheGroupAndVolumeWhenAMembersImageIsMissingAtStart() throws Exception {
        open();
        volumes.create("a", 4 * MIB, null, null);
        volumes.create("b", 4 * MIB, null, null);
        groups.create("g1", List.of("a", "b"));
        close();
        Files.delete(data.resolve("volumes/b.img"));

        assertThatThrownBy(this::open).hasMessageContaining("group g1").hasMessageContaining("b");
        storage.close();
    }

    @Test
    void shouldRefuseToDeleteOrResizeAGroupedVolume() throws Exception {
        open();
        volumes.create("a", 4 * MIB, null, null);
        groups.create("g1", List.of("a"));

        assertThatThrownBy(() -> volumes.resize("a", 8 * MIB)).hasMessageContaining("volume a belongs to group g1");
        assertThat(volumes.get("a").sizeBytes()).isEqualTo(4 * MIB);

        assertThatThrownBy(() -> volumes.delete("a"))
                .isInstanceOfSatisfying(VolumeException.class,
                        e -> assertThat(e.reason()).isEqualTo(VolumeException.Reason.CONFLICT))
                .hasMessageContaining("volume a belongs to group g1");
        assertThat(volumes.get("a")).isNotNull();
    }

    @Test
    void shouldRefuseBadGroupsNamingTheCause() throws Exception {
        open();
        volumes.create("a", 4 * MIB, null, null);
        volumes.create("b", 4 * MIB, null, null);
        groups.create("g1", List.of("a"));

        assertThatThrownBy(() -> groups.create("g2", List.of("a", "b"))).hasMessageContaining("volume a already belongs to group g1");
        assertThatThrownBy(() -> groups.create("g1", List.of("b"))).hasMessageContaining("group g1 already exists");
        assertThatThrownBy(() -> groups.create("g3", List.of("nope"))).hasMessageContaining("no volume named nope");
        assertThatThrownBy(() -> groups.create("G_3", List.of("b"))).hasMessageContaining("group name: G_3");
        assertThatThrownBy(() -> groups.create("g3", List.of("b", "b"))).hasMessageContaining("each volume once");
        assertThatThrownBy(() -> groups.get("g9")).hasMessageContaining("no group named g9");
        // b was refused into g2 but is served on, alone
        write(unit("b"), 1, 0x01);
        assertThat(volumes.get("b").journal().directory()).endsWith("b.journal");
        assertThat(Files.exists(data.resolve("groups/g2.json"))).isFalse();
    }
}
