package io.tidemark.replicator.dr;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.journal.GroupConfig;
import io.tidemark.journal.GroupVolume;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import io.tidemark.replicator.link.LinkSettings;
import io.tidemark.replicator.link.ReplicationClient;
import io.tidemark.replicator.link.ReplicationServer;
import io.tidemark.replicator.pki.Identity;
import io.tidemark.replicator.pki.PairingTokens;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.pki.PeerStore;
import io.tidemark.replicator.seal.DataKey;
import io.tidemark.replicator.seal.Metadata;
import io.tidemark.replicator.ship.GroupDescriptor;
import io.tidemark.replicator.ship.GroupShipper;
import io.tidemark.replicator.ship.ReplicaReceiver;
import io.tidemark.replicator.ship.ShipSettings;
import io.tidemark.replicator.ship.VolumeDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain: a real consistency group on file stores, its shipper, TLS on loopback, the
 * receiver, and a {@link DrHistory} as the sink. Views at a named checkpoint and at the newest
 * sequence equal the primary's volumes as they were then (read from the primary, not from any
 * journal).
 */
@Timeout(180)
class ShippedHistoryTest {

    private static final int BLOCK = 512;
    private static final long VOLUME_BYTES = 2L << 20;

    @TempDir
    Path dir;

    private final Random random = new Random(77);

    @Test
    void shouldHoldThePrimaryAsItWasAtACheckpointAndNow() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<FileStore> stores = new ArrayList<>();
        List<GroupVolume> volumes = new ArrayList<>();
        List<VolumeDescriptor> described = new ArrayList<>();
        for (int id = 1; id <= 2; id++) {
            Path file = dir.resolve("v" + id + ".img");
            FileStore.create(file, VOLUME_BYTES, StoreOptions.DEFAULTS).close();
            FileStore store = FileStore.open(file, StoreOptions.DEFAULTS);
            stores.add(store);
            volumes.add(new GroupVolume(id, "v" + id, store));
            described.add(new VolumeDescriptor(id, "v" + id, VOLUME_BYTES, BLOCK));
        }
        ConsistencyGroup group = ConsistencyGroup.open(GroupConfig.defaults("g", 5, dir.resolve("journal")), volumes,
                registry);
        GroupDescriptor desc = new GroupDescriptor("g", 5, group.epoch(), described);
        DataKey key = DataKey.generate();
        AtomicReference<DrHistory> history = new AtomicReference<>();
        ReplicaReceiver receiver = new ReplicaReceiver((peer, d, k) -> {
            synchronized (history) {
                if (history.get() == null) {
                    history.set(DrHistory.open(dir.resolve("replica"), d, k, DrSettings.defaults(), registry));
                }
                return history.get();
            }
        }, registry);
        LinkSettings link = new LinkSettings(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(2));
        Identity drIdentity = Identity.loadOrCreate(dir.resolve("dr/identity"), "dr-site");
        PeerStore drPeers = PeerStore.open(dir.resolve("dr/peers"));
        PairingTokens tokens = new PairingTokens(drIdentity, Clock.systemUTC(), Duration.ofMinutes(10));
        Identity primaryIdentity = Identity.loadOrCreate(dir.resolve("primary/identity"), "primary-site");
        PeerStore primaryPeers = PeerStore.open(dir.resolve("primary/peers"));
        ReplicationServer server = new ReplicationServer(drIdentity, drPeers, tokens,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), receiver, link);
        ReplicationClient client = new ReplicationClient(primaryIdentity, link, primaryPeers);
        GroupShipper shipper = null;
        try {
            server.start();
            Peer dr = client.pair(primaryPeers, "dr", "127.0.0.1:" + server.localAddress().getPort(), tokens.issue());
            join(writeRandomly(group, 150)); // data before protection: the initial sync carries it
            shipper = new GroupShipper(group, desc, key, dr, client::connect, ShipSettings.defaults().withMode("async"),
                    registry);
            shipper.start();
            GroupShipper started = shipper;
            // the initial sync starts where the shipper connects: what came before reaches the DR as its content
            await(() -> started.status().state().equals("PROTECTED"), started::status);
            join(writeRandomly(group, 150));
            long checkpoint = group.appendMetadata(Metadata.checkpoint("quiesced").toBytes()).get(30, TimeUnit.SECONDS);
            Map<Integer, byte[]> atCheckpoint = readPrimary(group);
            join(writeRandomly(group, 200));
            Map<Integer, byte[]> now = readPrimary(group);
            long appended = group.appendedSequence();
            GroupShipper s = shipper;
            await(() -> history.get() != null && history.get().durableSequence() >= appended
                    && s.status().state().equals("PROTECTED"), () -> "caught up: " + s.status());

            DrHistory h = history.get();
            assertThat(h.resolveCheckpoint("quiesced")).isEqualTo(checkpoint);
            try (PitView view = h.openView(checkpoint)) {
                assertEquals(view, atCheckpoint);
            }
            try (PitView view = h.openView(h.durableSequence())) {
                assertEquals(view, now);
            }
            assertThat(h.status().sync()).isEqualTo(HistoryStatus.SyncState.COMPLETE);
            assertThat(h.status().syncTotalBytes()).isEqualTo(2 * VOLUME_BYTES);
        } finally {
            if (shipper != null) {
                shipper.close();
            }
            client.close();
            server.close();
            receiver.close();
            if (history.get() != null) {
                history.get().close();
            }
            group.close();
            for (FileStore store : stores) {
                store.close();
            }
        }
    }

    private static void assertEquals(PitView view, Map<Integer, byte[]> expected) throws IOException {
        for (Map.Entry<Integer, byte[]> e : expected.entrySet()) {
            ByteBuffer all = ByteBuffer.allocate((int) VOLUME_BYTES);
            view.read(e.getKey(), 0, all);
            assertThat(all.array()).as("volume %d at seq %d", e.getKey(), view.sequence()).isEqualTo(e.getValue());
        }
    }

    private static Map<Integer, byte[]> readPrimary(ConsistencyGroup group) throws IOException {
        Map<Integer, byte[]> out = new HashMap<>();
        for (int id = 1; id <= 2; id++) {
            ByteBuffer b = ByteBuffer.allocate((int) VOLUME_BYTES);
            group.read(id, 0, b);
            out.put(id, b.array());
        }
        return out;
    }

    private List<CompletableFuture<Long>> writeRandomly(ConsistencyGroup group, int commands) {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        long blocks = VOLUME_BYTES / BLOCK;
        for (int i = 0; i < commands; i++) {
            int volume = 1 + random.nextInt(2);
            int count = 1 + random.nextInt(16);
            long lba = random.nextInt((int) (blocks - count));
            int kind = random.nextInt(10);
            byte[] data = new byte[(kind == 1 ? 1 : count) * BLOCK];
            random.nextBytes(data);
            if (kind == 0) {
                futures.add(group.unmap(volume, lba, count));
            } else if (kind == 1) {
                futures.add(group.writeSame(volume, lba, count, ByteBuffer.wrap(data)));
            } else {
                futures.add(group.write(volume, lba, ByteBuffer.wrap(data), false));
            }
        }
        return futures;
    }

    private static void join(List<CompletableFuture<Long>> futures) {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
    }

    /** Polls with a deadline (the shipper and receiver run on their own threads). */
    private static void await(java.util.function.BooleanSupplier condition, java.util.function.Supplier<?> what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
