package io.tidemark.replicator.dr;

import io.tidemark.journal.JournalRecordDescriptor;
import io.tidemark.journal.RecordType;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.IntFunction;

/** What a record does to the blocks it names, as the index and the base see it. */
enum BlockEffect {
    /** Nothing (METADATA, a COMPARE AND WRITE that miscompared). */
    NONE,
    /** Each block is its own part of the payload (WRITE, COMPARE AND WRITE, SNAPSHOT). */
    DATA,
    /** Each block reads as zeros (UNMAP, ZERO SNAPSHOT). */
    ZERO,
    /** Each block is the one-block payload (WRITE SAME). */
    PATTERN;

    private static final Map<RecordType, IntFunction<BlockEffect>> BY_TYPE = new EnumMap<>(RecordType.class);

    static {
        BY_TYPE.put(RecordType.WRITE, flags -> DATA);
        BY_TYPE.put(RecordType.UNMAP, flags -> ZERO);
        BY_TYPE.put(RecordType.WRITE_SAME, flags -> PATTERN);
        BY_TYPE.put(RecordType.COMPARE_AND_WRITE,
                flags -> (flags & JournalRecordDescriptor.FLAG_MISCOMPARE) != 0 ? NONE : DATA);
        BY_TYPE.put(RecordType.METADATA, flags -> NONE);
        BY_TYPE.put(RecordType.SNAPSHOT, flags -> (flags & JournalRecordDescriptor.FLAG_ZERO) != 0 ? ZERO : DATA);
    }

    static BlockEffect of(RecordType type, int flags) {
        IntFunction<BlockEffect> rule = BY_TYPE.get(type);
        if (rule == null) {
            throw new IllegalArgumentException("record type: " + type + " (expected: one of " + BY_TYPE.keySet() + ")");
        }
        return rule.apply(flags);
    }

    /** The index value kind of this effect. */
    byte indexKind() {
        return switch (this) {
            case DATA -> BlockIndexDescriptor.KIND_DATA;
            case ZERO -> BlockIndexDescriptor.KIND_ZERO;
            case PATTERN -> BlockIndexDescriptor.KIND_PATTERN;
            case NONE -> throw new IllegalStateException("a record without block effect has no index entries");
        };
    }
}
