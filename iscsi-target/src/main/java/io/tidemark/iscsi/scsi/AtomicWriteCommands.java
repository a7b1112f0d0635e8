package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.CommandSpec.DATA_OUT;
import static io.tidemark.iscsi.scsi.CommandSpec.MEDIA;
import static io.tidemark.iscsi.scsi.CommandSpec.PR_WRITE;
import static io.tidemark.iscsi.scsi.CommandSpec.WRITES_MEDIUM;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands that must be atomic against every other write to the unit: COMPARE AND WRITE
 * (ESXi's ATS), ORWRITE(16) and WRITE ATOMIC(16). All run on
 * {@link io.tidemark.iscsi.spi.LogicalUnit#compareAndWrite}: the last two as a bounded loop of
 * read, then compare-and-write against what was read. Stateless.
 *
 * <pre>
 *  WRITE ATOMIC (16), SBC-4:  0 opcode 9Ch  1 WRPROTECT(7..5) DPO(4) FUA(3)  2-9 LBA
 *                             10-11 ATOMIC BOUNDARY  12-13 TRANSFER LENGTH  14 GROUP NUMBER(5..0)
 *                             15 CONTROL
 * </pre>
 */
final class AtomicWriteCommands {

    private static final Logger LOG = LoggerFactory.getLogger(AtomicWriteCommands.class);

    static final int COMPARE_AND_WRITE = 0x89;
    static final int ORWRITE_16 = 0x8B;
    static final int WRITE_ATOMIC_16 = 0x9C;

    private static final int FUA = 0x08;
    private static final int ATOMIC_BOUNDARY_OFFSET = 10;
    private static final int ATOMIC_LENGTH_OFFSET = 12;
    private static final int LBA_OFFSET = 2;
    /** Read-then-compare-and-write attempts before giving up on a range other writers keep changing. */
    static final int MAX_REPLACE_ATTEMPTS = 64;

    private AtomicWriteCommands() {
    }

    static void register(CommandTable t) {
        t.add(COMPARE_AND_WRITE, "COMPARE AND WRITE", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM,
                AtomicWriteCommands::compareAndWrite,
                0x89, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0x1f, 0x07);
        t.add(ORWRITE_16, "ORWRITE(16)", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM, AtomicWriteCommands::orWrite,
                0x8B, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
        // ATOMIC BOUNDARY usage bits clear: boundaries are not supported (MAXIMUM ATOMIC BOUNDARY SIZE 0).
        t.add(WRITE_ATOMIC_16, "WRITE ATOMIC(16)", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM,
                AtomicWriteCommands::writeAtomic,
                0x9C, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0x3f, 0x07);
    }

    /**
     * COMPARE AND WRITE (SBC-3 5.2): Data-Out holds NUMBER OF LOGICAL BLOCKS blocks to compare,
     * then as many to write. A difference is MISCOMPARE with INFORMATION = its byte offset.
     */
    private static CompletableFuture<ScsiResponse> compareAndWrite(Task t) {
        t.requireCdbLength(16);
        BlockCommands.checkProtect(t);
        long lba = Cdb.u64(t.cdb, 2);
        int blocks = t.cdbByte(13);
        int bs = t.lu.blockSize();
        long wanted = 2L * blocks * bs;
        if (blocks > InquiryData.MAX_COMPARE_AND_WRITE_BLOCKS) {
            throw CheckCondition.invalidCdbField(13, -1).withTransferLength(wanted);
        }
        new BlockRange(lba, blocks, 13).checkWithin(t.lu.unit.blockCount());
        if (t.dataOutLength() != wanted) {
            // libiscsi expects ILLEGAL REQUEST / INVALID FIELD IN CDB when NUMBER OF BLOCKS disagrees with the data
            throw CheckCondition.invalidCdbField(13, -1).withTransferLength(wanted);
        }
        if (blocks == 0) {
            return BlockCommands.completed(wanted);
        }
        ByteBuffer all = t.dataOut();
        int half = blocks * bs;
        ByteBuffer compare = all.duplicate();
        compare.limit(compare.position() + half);
        ByteBuffer data = all.duplicate();
        data.position(data.position() + half);
        return t.lu.unit.compareAndWrite(lba, compare, data).thenCompose(mismatch -> {
            if (mismatch >= 0) {
                throw SenseData.of(SenseCode.MISCOMPARE_DURING_VERIFY).information(mismatch).toFailure()
                        .withTransferLength(wanted);
            }
            return flushIfForced(t);
        }).thenApply(v -> BlockCommands.response(wanted));
    }

    /**
     * ORWRITE(16) (SBC-3 5.10): ORs the Data-Out into the blocks, atomically against other
     * writes.
     */
    private static CompletableFuture<ScsiResponse> orWrite(Task t) {
        BlockRange r = BlockRange.decode(t, false);
        BlockCommands.checkProtect(t);
        r.checkWithin(t.lu.unit.blockCount()).checkLength(InquiryData.MAX_TRANSFER_BLOCKS);
        long wanted = r.blocks() * t.lu.blockSize();
        ByteBuffer mask = BlockCommands.dataOutBlocks(t, wanted);
        if (wanted == 0) {
            return BlockCommands.completed(wanted);
        }
        UnaryOperator<ByteBuffer> or = current -> {
            ByteBuffer merged = ByteBuffer.allocate(current.remaining());
            for (int i = 0; i < merged.capacity(); i++) {
                merged.put(i, (byte) (current.get(current.position() + i) | mask.get(mask.position() + i)));
            }
            return merged;
        };
        return replaceAtomically(t, "ORWRITE(16)", r.lba(), (int) wanted, or, 0)
                .thenCompose(v -> flushIfForced(t))
                .thenApply(v -> BlockCommands.response(wanted));
    }

    /**
     * WRITE ATOMIC(16) (SBC-4): writes the blocks all or nothing, never interleaved with
     * another write to them. The range must keep to the Block Limits VPD atomic limits
     * (length, alignment, granularity); an ATOMIC BOUNDARY is not supported.
     */
    private static CompletableFuture<ScsiResponse> writeAtomic(Task t) {
        t.requireCdbLength(16);
        BlockCommands.checkProtect(t);
        if (Cdb.u16(t.cdb, ATOMIC_BOUNDARY_OFFSET) != 0) {
            throw CheckCondition.invalidCdbField(ATOMIC_BOUNDARY_OFFSET, -1);
        }
        BlockRange r = new BlockRange(Cdb.u64(t.cdb, LBA_OFFSET), Cdb.u16(t.cdb, ATOMIC_LENGTH_OFFSET),
                ATOMIC_LENGTH_OFFSET);
        r.checkWithin(t.lu.unit.blockCount()).checkLength(InquiryData.MAX_ATOMIC_TRANSFER_BLOCKS);
        if (r.lba() % InquiryData.ATOMIC_ALIGNMENT_BLOCKS != 0) {
            throw CheckCondition.invalidCdbField(LBA_OFFSET, -1);
        }
        if (r.blocks() % InquiryData.ATOMIC_GRANULARITY_BLOCKS != 0) {
            throw CheckCondition.invalidCdbField(ATOMIC_LENGTH_OFFSET, -1);
        }
        long wanted = r.blocks() * t.lu.blockSize();
        ByteBuffer data = BlockCommands.dataOutBlocks(t, wanted);
        if (wanted == 0) {
            return BlockCommands.completed(wanted);
        }
        return replaceAtomically(t, "WRITE ATOMIC(16)", r.lba(), (int) wanted, current -> data.duplicate(), 0)
                .thenCompose(v -> flushIfForced(t))
                .thenApply(v -> BlockCommands.response(wanted));
    }

    /**
     * Replaces {@code bytes} at {@code lba} with what {@code replacement} makes of their current
     * content: read, then compare-and-write against what was read, again while another write
     * got in between. Gives up with ABORTED COMMAND (which initiators retry) after
     * {@value #MAX_REPLACE_ATTEMPTS} attempts.
     */
    private static CompletableFuture<Void> replaceAtomically(Task t, String command, long lba, int bytes,
                                                             UnaryOperator<ByteBuffer> replacement, int attempt) {
        if (attempt >= MAX_REPLACE_ATTEMPTS) {
            LOG.warn("target {} volume {} initiator {}: {} at LBA {} gave up after {} attempts: the range kept changing",
                    t.device.node().iqn(), t.lu.descriptor.name(), t.nexus().initiatorName(), command, lba,
                    attempt);
            throw CheckCondition.of(SenseCode.ABORTED_COMMAND).withTransferLength(bytes);
        }
        ByteBuffer current = ByteBuffer.allocate(bytes);
        return t.lu.unit.read(lba, current.duplicate())
                .thenCompose(v -> t.lu.unit.compareAndWrite(lba, current, replacement.apply(current.duplicate())))
                .thenCompose(mismatch -> mismatch < 0
                        ? CompletableFuture.completedFuture(null)
                        : replaceAtomically(t, command, lba, bytes, replacement, attempt + 1));
    }

    /** FUA, or the write cache turned off, makes the command wait until the data is durable. */
    private static CompletableFuture<Void> flushIfForced(Task t) {
        boolean fua = (t.cdbByte(1) & FUA) != 0 || !t.lu.writeCacheEnabled();
        return fua ? t.lu.unit.flush() : CompletableFuture.completedFuture(null);
    }
}
