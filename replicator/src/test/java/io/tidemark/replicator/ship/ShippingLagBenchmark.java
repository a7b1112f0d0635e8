package io.tidemark.replicator.ship;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.journal.GroupConfig;
import io.tidemark.journal.GroupVolume;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import io.tidemark.replicator.dr.DrHistory;
import io.tidemark.replicator.dr.DrSettings;
import io.tidemark.replicator.link.LinkSettings;
import io.tidemark.replicator.link.ReplicationClient;
import io.tidemark.replicator.link.ReplicationServer;
import io.tidemark.replicator.pki.Identity;
import io.tidemark.replicator.pki.PairingTokens;
import io.tidemark.replicator.pki.Peer;
import io.tidemark.replicator.pki.PeerStore;
import io.tidemark.replicator.seal.DataKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication lag (RPO) under a steady write load, in one process: a real journal, the real TLS
 * link on loopback and a real {@link DrHistory}. For each write: time from its completion on the
 * primary to the DR's durable ack of its sequence; prints p50/p99/max. Off by default:
 * <pre>
 * mvn -B -o -pl replicator -am test -Dtest=ShippingLagBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtidemark.bench=true [-Dtidemark.bench.seconds=20]
 * </pre>
 */
@EnabledIfSystemProperty(named = "tidemark.bench", matches = "true")
class ShippingLagBenchmark {

    private static final long VOLUME_BYTES = 64L * 1024 * 1024;
    private static final int QUEUE_DEPTH = 32;

    @TempDir
    Path dir;

    @Test
    void lagUnder4KiBWritesAt5000PerSecond() throws Exception {
        run(4096, 5000);
    }

    @Test
    void lagUnder64KiBWritesAt100MBPerSecond() throws Exception {
        run(65536, 100_000_000 / 65536);
    }

    private void run(int size, int perSecond) throws Exception {
        int seconds = Integer.getInteger("tidemark.bench.seconds", 10);
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
            described.add(new VolumeDescriptor(id, "v" + id, VOLUME_BYTES, 512));
        }
        ConsistencyGroup group = ConsistencyGroup.open(GroupConfig.defaults("bench", 3, dir.resolve("journal")), volumes,
                registry);
        GroupDescriptor desc = new GroupDescriptor("bench", 3, group.epoch(), described);
        DataKey key = DataKey.generate();
        DrHistory history = DrHistory.open(dir.resolve("dr"), desc, key, DrSettings.defaults(), registry);
        ReplicaReceiver receiver = new ReplicaReceiver((peer, d, k) -> history, registry);
        LinkSettings link = new LinkSettings(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(2));
        Identity drIdentity = Identity.loadOrCreate(dir.resolve("dr-identity"), "dr-site");
        PeerStore drPeers = PeerStore.open(dir.resolve("dr-peers"));
        PairingTokens tokens = new PairingTokens(drIdentity, Clock.systemUTC(), Duration.ofMinutes(10));
        ReplicationServer server = new ReplicationServer(drIdentity, drPeers, tokens,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), receiver, link);
        Identity primaryIdentity = Identity.loadOrCreate(dir.resolve("primary-identity"), "primary-site");
        PeerStore primaryPeers = PeerStore.open(dir.resolve("primary-peers"));
        ReplicationClient client = new ReplicationClient(primaryIdentity, link, primaryPeers);
        GroupShipper shipper = null;
        try {
            server.start();
            Peer dr = client.pair(primaryPeers, "dr", "127.0.0.1:" + server.localAddress().getPort(), tokens.issue());
            shipper = new GroupShipper(group, desc, key, dr, client::connect, ShipSettings.defaults(), registry);
            shipper.start();
            GroupShipper s = shipper;
            ShipFixture.await(Duration.ofSeconds(120), () -> s.status().state().equals("PROTECTED"), s::status);

            long[] lags = measure(group, shipper, size, perSecond, seconds);
            Arrays.sort(lags);
            System.out.printf("replication lag, %d B writes at %d/s (%.1f MB/s) for %d s, %d writes: p50 %.2f ms,"
                            + " p99 %.2f ms, max %.2f ms; compression ratio %.2f%n", size, perSecond,
                    size * (double) perSecond / 1e6, seconds, lags.length, lags[lags.length / 2] / 1e6,
                    lags[(int) (lags.length * 0.99)] / 1e6, lags[lags.length - 1] / 1e6,
                    shipper.status().compressionRatio());
        } finally {
            if (shipper != null) {
                shipper.close();
            }
            client.close();
            server.close();
            receiver.close();
            history.close();
            group.close();
            for (FileStore s : stores) {
                s.close();
            }
        }
    }

    /** Writes at the rate (at most QUEUE_DEPTH outstanding); returns each write's completion-to-DR-ack time. */
    private static long[] measure(ConsistencyGroup group, GroupShipper shipper, int size, int perSecond, int seconds)
            throws Exception {
        ConcurrentLinkedQueue<long[]> completed = new ConcurrentLinkedQueue<>(); // {seq, completion nanos}
        List<Long> lags = new ArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread acker = new Thread(() -> {
            ArrayList<long[]> pending = new ArrayList<>();
            while (writing.get() || !completed.isEmpty() || !pending.isEmpty()) {
                long[] c;
                while ((c = completed.poll()) != null) {
                    pending.add(c);
                }
                long acked = shipper.status().ackedSeq();
                long now = System.nanoTime();
                pending.removeIf(p -> {
                    if (p[0] <= acked) {
                        lags.add(now - p[1]);
                        return true;
                    }
                    return false;
                });
                LockSupport.parkNanos(200_000);
            }
        }, "bench-acks");
        acker.start();
        Random random = new Random(1);
        byte[][] patterns = new byte[16][size];
        for (byte[] p : patterns) {
            random.nextBytes(p);
        }
        Semaphore depth = new Semaphore(QUEUE_DEPTH);
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long start = System.nanoTime();
        long total = (long) perSecond * seconds;
        long blocks = VOLUME_BYTES / size;
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            depth.acquire();
            int volume = 1 + (int) (i % 2);
            long lba = random.nextInt((int) blocks) * (long) (size / 512);
            group.write(volume, lba, ByteBuffer.wrap(patterns[(int) (i % patterns.length)]), false)
                    .whenComplete((seq, e) -> {
                        depth.release();
                        if (e == null) {
                            completed.add(new long[] {seq, System.nanoTime()});
                        }
                    });
        }
        depth.acquire(QUEUE_DEPTH);
        double achieved = total / ((System.nanoTime() - start) / 1e9);
        writing.set(false);
        acker.join(TimeUnit.SECONDS.toMillis(120));
        System.out.printf("achieved %.0f writes/s of %d%n", achieved, perSecond);
        return lags.stream().mapToLong(Long::longValue).toArray();
    }
}
