package io.tidemark.replicator.dr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The replica's RocksDB: the block index ({@link BlockIndexDescriptor}) in the default column
 * family, recovery marks (points, checkpoints, sync start/complete) in "marks", where each
 * record is ({@link RecordEntry}) in "records", and how far the index goes in "meta".
 *
 * <p>The write-ahead log is off: every write goes in after the DR journal holding its records
 * was made durable, and the "indexed" meta entry written in the same batch says how far the
 * index goes, so after a crash the index is rebuilt from the journal from there on (atomic
 * flush keeps the three column families a consistent prefix). That saves one fsync per
 * received batch; retention flushes explicitly before it trims anything. Thread-safe (RocksDB
 * is; closing waits for calls in flight).
 */
final class HistoryStore implements AutoCloseable {

    static final byte[] META_INDEXED = "indexed".getBytes(StandardCharsets.US_ASCII);
    static final byte[] META_SYNC_DONE = "sync-done".getBytes(StandardCharsets.US_ASCII);

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final List<ColumnFamilyHandle> handles;
    private final RocksDB db;
    private final WriteOptions noWal;
    private final ReadOptions readOptions;
    /** Operations hold the read side, close the write side. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /**
     * Idle iterators over the block index, for view reads ({@link #acquireIndexIterator}):
     * creating one costs about as much as a small view read's index walk. An idle one pins the
     * version of the index it last saw (memtables, SST files) until it is refreshed or closed,
     * so {@link #flush} closes the idle ones, as does closing the store.
     */
    private final SlotPool<RocksIterator> indexIterators = new SlotPool<>(SlotPool.defaultSize());
    private volatile boolean closed;

    private HistoryStore(Path directory, DBOptions dbOptions, ColumnFamilyOptions cfOptions,
                         List<ColumnFamilyHandle> handles, RocksDB db) {
        this.directory = directory;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.handles = handles;
        this.db = db;
        this.noWal = new WriteOptions().setDisableWAL(true);
        this.readOptions = new ReadOptions();
    }

    static HistoryStore open(Path directory) throws IOException {
        Files.createDirectories(directory);
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setAtomicFlush(true) // the column families persist as one consistent prefix
                .setAvoidFlushDuringShutdown(true) // close() flushes explicitly; abandon() models a crash
                .setMaxBackgroundJobs(2);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor("marks".getBytes(StandardCharsets.US_ASCII), cfOptions),
                new ColumnFamilyDescriptor("meta".getBytes(StandardCharsets.US_ASCII), cfOptions),
                new ColumnFamilyDescriptor("records".getBytes(StandardCharsets.US_ASCII), cfOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            return new HistoryStore(directory, dbOptions, cfOptions, handles, db);
        } catch (RocksDBException e) {
            dbOptions.close();
            cfOptions.close();
            throw new IOException("block index " + directory + ": " + e.getMessage(), e);
        }
    }

    ColumnFamilyHandle index() {
        return handles.get(0);
    }

    ColumnFamilyHandle marks() {
        return handles.get(1);
    }

    ColumnFamilyHandle meta() {
        return handles.get(2);
    }

    ColumnFamilyHandle records() {
        return handles.get(3);
    }

    void write(WriteBatch batch) throws IOException {
        lock.readLock().lock();
        try {
            checkOpen();
            db.write(noWal, batch);
        } catch (RocksDBException e) {
            throw new IOException("block index " + directory + " write: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    byte[] get(ColumnFamilyHandle cf, byte[] key) throws IOException {
        lock.readLock().lock();
        try {
            checkOpen();
            return db.get(cf, key);
        } catch (RocksDBException e) {
            throw new IOException("block index " + directory + " get: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** RocksDB crashes the JVM when used after close: fail instead. */
    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("block index " + directory + " is closed");
        }
    }

    /**
     * An iterator over a column family on an implicit snapshot taken now; close it. The caller
     * keeps the store from closing while it iterates. View reads use {@link #acquireIndexIterator}.
     */
    RocksIterator iterator(ColumnFamilyHandle cf) {
        checkOpen();
        return db.newIterator(cf, readOptions);
    }

    /**
     * An iterator over the block index ({@link #index()}) for one read: an idle one from the pool,
     * refreshed, or a new one. Either way it sees every write that returned before this call (and
     * none after), and its position is undefined: seek first. The caller holds the store open
     * (the read side of its lock) from here until it gives the iterator back with
     * {@link #releaseIndexIterator} from the same thread, in a finally block, and uses it no more.
     *
     * @throws IllegalStateException when the store is closed
     */
    RocksIterator acquireIndexIterator() {
        lock.readLock().lock();
        try {
            checkOpen();
            RocksIterator it = indexIterators.poll();
            if (it != null) {
                try {
                    it.refresh(); // the latest sequence, and the current memtables and files if they changed
                    return it;
                } catch (RocksDBException e) {
                    it.close(); // not expected; a new iterator sees the latest sequence as well
                }
            }
            return db.newIterator(index(), readOptions);
        } catch (RuntimeException | Error e) {
            lock.readLock().unlock();
            throw e;
        }
    }

    /** Gives back an iterator from {@link #acquireIndexIterator} (pooled, or closed when the pool is full). */
    void releaseIndexIterator(RocksIterator it) {
        try {
            if (!indexIterators.offer(it)) {
                it.close();
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Whether a close waits for operations in flight, such as an iterator not given back yet (tests). */
    boolean closeWaiting() {
        return lock.hasQueuedThreads();
    }

    /** Idle pooled index iterators (tests). */
    int idleIndexIterators() {
        return indexIterators.idle();
    }

    /** Closes the idle pooled index iterators: they pin what they saw last (memtables, files). */
    private void closeIdleIterators() {
        indexIterators.drain(RocksIterator::close);
    }

    /**
     * Persists every column family (atomically) to SST files, then closes the idle pooled index
     * iterators, which would keep the flushed memtables (and files compacted away) alive.
     */
    void flush() throws IOException {
        lock.readLock().lock();
        try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
            checkOpen();
            db.flush(options, handles);
            closeIdleIterators();
        } catch (RocksDBException e) {
            throw new IOException("block index " + directory + " flush: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Bytes of the database's files. */
    long diskBytes() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Closes without flushing: what a crash leaves (tests). */
    void abandon() {
        closeHandles();
    }

    @Override
    public void close() throws IOException {
        try {
            if (!closed) {
                flush();
            }
        } finally {
            closeHandles();
        }
    }

    private void closeHandles() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeNative();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void closeNative() {
        closeIdleIterators(); // every iterator is idle now: acquiring one holds the read side
        readOptions.close();
        noWal.close();
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        cfOptions.close();
        dbOptions.close();
    }
}
