package io.tidemark.replicator.ship;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.journal.GroupConfig;
import io.tidemark.journal.GroupVolume;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import io.tidemark.replicator.seal.DataKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A real two-volume consistency group on file stores in a temp dir, a {@link ReplicaReceiver}
 * over a {@link FakeSink}, and the {@link MemoryLink} between them. Not thread-safe.
 */
final class ShipFixture implements AutoCloseable {

    static final int BLOCK = 512;
    static final long VOLUME_BYTES = 4L * 1024 * 1024;
    static final int[] VOLUME_IDS = {1, 2};

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<FileStore> stores = new ArrayList<>();
    final ConsistencyGroup group;
    final GroupDescriptor desc;
    final DataKey key = DataKey.generate();
    final List<FakeSink> sinks = new ArrayList<>();
    final ReplicaReceiver receiver;
    final MemoryLink link;
    final Random random = new Random(42);
    GroupShipper shipper;

    ShipFixture(Path dir) throws IOException {
        this(dir, config -> config);
    }

    /** With the group's journal settings adjusted by {@code tune} (retention, clock). */
    ShipFixture(Path dir, java.util.function.UnaryOperator<GroupConfig> tune) throws IOException {
        List<GroupVolume> volumes = new ArrayList<>();
        List<VolumeDescriptor> described = new ArrayList<>();
        for (int id : VOLUME_IDS) {
            Path file = dir.resolve("v" + id + ".img");
            FileStore.create(file, VOLUME_BYTES, StoreOptions.DEFAULTS).close();
            FileStore store = FileStore.open(file, StoreOptions.DEFAULTS);
            stores.add(store);
            volumes.add(new GroupVolume(id, "v" + id, store));
            described.add(new VolumeDescriptor(id, "v" + id, VOLUME_BYTES, BLOCK));
        }
        group = ConsistencyGroup.open(tune.apply(GroupConfig.defaults("g", 5, dir.resolve("journal"))), volumes,
                registry);
        desc = new GroupDescriptor("g", 5, group.epoch(), described);
        receiver = new ReplicaReceiver((peer, d, k) -> sink(d, k), registry);
        link = new MemoryLink(receiver);
    }

    private synchronized ReplicaSink sink(GroupDescriptor d, DataKey k) {
        assertThat(d).isEqualTo(desc);
        assertThat(k).isEqualTo(key);
        if (sinks.isEmpty()) {
            sinks.add(new FakeSink(d, k));
        }
        return sinks.get(0);
    }

    synchronized FakeSink sink() {
        return sinks.isEmpty() ? null : sinks.get(0);
    }

    GroupShipper start(ShipSettings settings) {
        return start(settings, MemoryLink.DR, link);
    }

    GroupShipper start(ShipSettings settings, io.tidemark.replicator.pki.Peer peer, Connector connector) {
        shipper = new GroupShipper(group, desc, key, peer, connector, settings, registry);
        shipper.start();
        return shipper;
    }

    static ShipSettings settings(String mode) {
        return ShipSettings.defaults().withMode(mode);
    }

    /** Random writes, UNMAPs and WRITE SAMEs over both volumes; returns their futures. */
    List<CompletableFuture<Long>> writeRandomly(int commands) {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        long blocks = VOLUME_BYTES / BLOCK;
        for (int i = 0; i < commands; i++) {
            int volume = VOLUME_IDS[random.nextInt(VOLUME_IDS.length)];
            int count = 1 + random.nextInt(16);
            long lba = random.nextInt((int) (blocks - count));
            int kind = random.nextInt(10);
            if (kind == 0) {
                futures.add(group.unmap(volume, lba, count));
            } else if (kind == 1) {
                futures.add(group.writeSame(volume, lba, count, pattern(1)));
            } else {
                futures.add(group.write(volume, lba, pattern(count), false));
            }
        }
        return futures;
    }

    ByteBuffer pattern(int blocks) {
        byte[] b = new byte[blocks * BLOCK];
        random.nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    static void join(List<CompletableFuture<Long>> futures) {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
    }

    /** Waits (polling, with a deadline) until the DR acknowledged everything appended and the state is PROTECTED. */
    void awaitCaughtUp(Duration timeout) {
        await(timeout, () -> {
            ShipStatus s = shipper.status();
            return s.state().equals("PROTECTED") && s.ackedSeq() >= group.appendedSequence();
        }, () -> "caught up: " + shipper.status() + ", appended " + group.appendedSequence());
    }

    static void await(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<?> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** The sink's images equal the group's volumes. */
    void assertReplicaEqualsPrimary() throws IOException {
        for (int id : VOLUME_IDS) {
            ByteBuffer primary = ByteBuffer.allocate((int) VOLUME_BYTES);
            group.read(id, 0, primary);
            assertThat(sink().image(id)).as("volume %d", id).isEqualTo(primary.array());
        }
    }

    /** Sequences the sink holds: each the previous + 1 (a gap only before a sync-start), no duplicate. */
    void assertContiguous() {
        List<io.tidemark.replicator.seal.OpenedRecord> records = sink().records();
        assertThat(sink().violations).isEmpty();
        for (int i = 1; i < records.size(); i++) {
            long seq = records.get(i).sequence();
            long previous = records.get(i - 1).sequence();
            if (isSyncStart(records.get(i))) {
                assertThat(seq).as("sync-start %d of %d", i, records.size()).isGreaterThan(previous);
            } else {
                assertThat(seq).as("record %d of %d", i, records.size()).isEqualTo(previous + 1);
            }
        }
    }

    long syncStarts() {
        return sink().records().stream().filter(ShipFixture::isSyncStart).count();
    }

    static boolean isSyncStart(io.tidemark.replicator.seal.OpenedRecord r) {
        return r.type() == io.tidemark.journal.RecordType.METADATA
                && io.tidemark.replicator.seal.Metadata.parse(r.payload()).isSyncStart();
    }

    /** Replaces the DR's replica by an empty one (as if its history was lost). */
    synchronized void wipeReplica() {
        sinks.set(0, new FakeSink(desc, key));
    }

    @Override
    public void close() throws IOException {
        if (shipper != null) {
            shipper.close();
        }
        receiver.close();
        link.close();
        group.close();
        for (FileStore s : stores) {
            s.close();
        }
    }
}
