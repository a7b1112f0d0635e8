package io.tidemark.journal;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A one-volume group over a file store in a temp directory, reopenable after a simulated crash. Not thread-safe. */
final class GroupFixture implements AutoCloseable {

    static final int BLOCK = 512;
    static final int VOLUME = 7;

    final Path dir;
    final long blocks;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    GroupConfig config;
    FileStore store;
    ConsistencyGroup group;

    GroupFixture(Path dir, long blocks) throws IOException {
        this.dir = dir;
        this.blocks = blocks;
        this.config = GroupConfig.defaults("g1", 1, dir.resolve("journal"));
        if (!Files.exists(dir.resolve("v.img"))) {
            FileStore.create(dir.resolve("v.img"), blocks * BLOCK, StoreOptions.DEFAULTS).close();
        }
    }

    GroupFixture open() throws IOException {
        return open(SyncHook.NONE);
    }

    GroupFixture open(SyncHook hook) throws IOException {
        store = FileStore.open(dir.resolve("v.img"), StoreOptions.DEFAULTS);
        group = ConsistencyGroup.open(config, List.of(new GroupVolume(VOLUME, "v", store)), registry, hook);
        return this;
    }

    /** Drops the group as a crash would, then closes the store file (its written data stays in the page cache). */
    void crash() throws IOException {
        group.abandon();
        store.close();
        group = null;
        store = null;
    }

    @Override
    public void close() throws IOException {
        if (group != null) {
            group.close();
            group = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
    }

    static ByteBuffer pattern(int blocks, int seed) {
        ByteBuffer b = ByteBuffer.allocate(blocks * BLOCK);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) (seed * 31 + i * 7 + (i >>> 9)));
        }
        return b;
    }

    ByteBuffer read(long lba, int count) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(count * BLOCK);
        group.read(VOLUME, lba, b);
        return b.clear();
    }
}
