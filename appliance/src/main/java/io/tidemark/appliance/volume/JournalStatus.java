package io.tidemark.appliance.volume;

import io.tidemark.journal.ConsistencyGroup;
import io.tidemark.journal.DurabilityMode;

/**
 * Where a volume's journal stands, as listings show it. Sequences only grow; {@code appended >=
 * durable} and {@code appended >= applied >= checkpointed}.
 *
 * @param groupId      the id its records carry
 * @param durability   write-back or write-through
 * @param appended     highest sequence appended to the journal
 * @param durable      highest sequence fdatasync'ed
 * @param applied      highest sequence written to the store
 * @param checkpointed highest sequence the store durably holds (replay after a crash starts past it)
 * @param bytes        journal bytes on disk, as of the journal's last maintenance run
 * @param directory    the journal's directory
 */
public record JournalStatus(int groupId, String durability, long appended, long durable, long applied,
                            long checkpointed, long bytes, String directory) {

    /** A snapshot of {@code group}; the sequences are read one after the other, not atomically. */
    public static JournalStatus of(int groupId, DurabilityMode durability, ConsistencyGroup group, String directory) {
        return new JournalStatus(groupId, durability == DurabilityMode.WRITE_THROUGH ? "write-through" : "write-back",
                group.appendedSequence(), group.durableSequence(), group.appliedSequence(),
                group.checkpoint().sequence(), group.journalBytes(), directory);
    }
}
