/**
 * The DR site's history of a replicated group ({@link io.tidemark.replicator.dr.DrHistory}):
 * the sealed records as received (Chronicle Queue, ciphertext at rest), a multi-version block
 * index in RocksDB ((volume, 4 KiB grain, sequence) with a sector mask -> record and offset, or
 * zero), one plaintext sparse base image per volume as of the oldest point of the window,
 * recovery points (automatic per interval of stream time, named checkpoints), and
 * point-in-time views ({@link io.tidemark.replicator.dr.PitView}) that read each block from
 * the newest version at or below their sequence, else from the base, and pin that sequence
 * against retention.
 *
 * <pre>
 *   receiver --append--> tag check --> journal/ (Chronicle) --sync: fdatasync--> index/ (RocksDB, no WAL)
 *                                                                                 |
 *   view.read(S) --> index: newest version <= S per sector --> record (pread, open, cache) | base/
 *   retention (aged / over the cap, <= lowest pin) --> apply to base/, fsync --> drop entries --> trim cycles
 * </pre>
 */
package io.tidemark.replicator.dr;
