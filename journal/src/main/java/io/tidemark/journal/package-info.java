/**
 * The write pipeline of a consistency group: a Disruptor ring whose sequence is the group's
 * write order, feeding a Chronicle Queue journal, the volume stores and the completions.
 *
 * <ul>
 * <li>{@link io.tidemark.journal.ConsistencyGroup}: the entry point (open, write, read, flush, close).
 * <li>{@link io.tidemark.journal.JournalRecordDescriptor}: the record layout (versioned, CRC32C).
 * <li>{@link io.tidemark.journal.JournalReader}: validated reading, for recovery, tests and the shipper.
 * <li>{@link io.tidemark.journal.GroupConfig}: every knob, with the embedded defaults.
 * </ul>
 *
 * Decisions worth knowing:
 * <ul>
 * <li>COMPARE AND WRITE is decided by the journal appender, at its place in the order (the
 *     applier first catches up to the record before it), and its outcome is journaled: a
 *     replay over a store that already holds later writes, or the DR site, must not compare
 *     again, or an old miscompare could turn into a write.
 * <li>Read-your-writes: reads wait for overlapping writes still in the ring to be applied
 *     (coarse region buckets, {@code InFlightExtents}), then read the store; no data index.
 * <li>Durability: a separate force thread fdatasyncs the current cycle file through its own
 *     FileChannel (Chronicle's {@code appender.sync()} returned in ~8 us here, far too fast to
 *     have reached the device, against ~1 ms for fdatasync). One sync covers every record
 *     appended before it (group commit).
 * <li>Torn tails: Chronicle resumes appending from its stored write position and cannot
 *     truncate, so recovery blanks the torn bytes into metadata documents readers skip
 *     ({@code TornTailRepair}) before the first append.
 * </ul>
 */
package io.tidemark.journal;
