package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.CommandSpec.DATA_OUT;
import static io.tidemark.iscsi.scsi.CommandSpec.MEDIA;
import static io.tidemark.iscsi.scsi.CommandSpec.PR_WRITE;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Read-compare-write commands that must be atomic against every other write to the unit:
 * COMPARE AND WRITE (ESXi's ATS) and ORWRITE(16). Both run on
 * {@link io.tidemark.iscsi.spi.LogicalUnit#compareAndWrite}. Stateless.
 */
final class AtomicWriteCommands {

    static final int COMPARE_AND_WRITE = 0x89;
    static final int ORWRITE_16 = 0x8B;

    private static final int FUA = 0x08;
    private static final int MAX_ORWRITE_RETRIES = 64;

    private AtomicWriteCommands() {
    }

    static void register(CommandTable t) {
        t.add(COMPARE_AND_WRITE, "COMPARE AND WRITE", PR_WRITE | MEDIA | DATA_OUT,
                AtomicWriteCommands::compareAndWrite,
                0x89, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0x1f, 0x07);
        t.add(ORWRITE_16, "ORWRITE(16)", PR_WRITE | MEDIA | DATA_OUT, AtomicWriteCommands::orWrite,
                0x8B, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
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
            boolean fua = (t.cdbByte(1) & FUA) != 0 || !t.lu.writeCacheEnabled();
            return fua ? t.lu.unit.flush() : CompletableFuture.completedFuture(null);
        }).thenApply(v -> BlockCommands.response(wanted));
    }

    /**
     * ORWRITE(16) (SBC-3 5.10): ORs the Data-Out into the blocks. Read, OR, then compare-and-write
     * against what was read, retried if another write got in between.
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
        boolean fua = (t.cdbByte(1) & FUA) != 0 || !t.lu.writeCacheEnabled();
        return orWriteAttempt(t, r.lba(), mask, (int) wanted, 0)
                .thenCompose(v -> fua ? t.lu.unit.flush() : CompletableFuture.completedFuture(null))
                .thenApply(v -> BlockCommands.response(wanted));
    }

    private static CompletableFuture<Void> orWriteAttempt(Task t, long lba, ByteBuffer mask, int bytes, int attempt) {
        if (attempt >= MAX_ORWRITE_RETRIES) {
            throw CheckCondition.of(SenseCode.WRITE_ERROR);
        }
        ByteBuffer current = ByteBuffer.allocate(bytes);
        return t.lu.unit.read(lba, current.duplicate()).thenCompose(v -> {
            ByteBuffer merged = ByteBuffer.allocate(bytes);
            for (int i = 0; i < bytes; i++) {
                merged.put(i, (byte) (current.get(i) | mask.get(mask.position() + i)));
            }
            return t.lu.unit.compareAndWrite(lba, current, merged);
        }).thenCompose(mismatch -> mismatch < 0
                ? CompletableFuture.completedFuture(null)
                : orWriteAttempt(t, lba, mask, bytes, attempt + 1));
    }
}
