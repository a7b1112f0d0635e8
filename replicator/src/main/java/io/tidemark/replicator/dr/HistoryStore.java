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
     * keeps the store from closing while it iterates (views hold the history's trim lock).
     */
    RocksIterator iterator(ColumnFamilyHandle cf) {
        checkOpen();
        return db.newIterator(cf, readOptions);
    }

    /** Persists every column family (atomically) to SST files. */
    void flush() throws IOException {
        lock.readLock().lock();
        try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
            checkOpen();
            db.flush(options, handles);
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
