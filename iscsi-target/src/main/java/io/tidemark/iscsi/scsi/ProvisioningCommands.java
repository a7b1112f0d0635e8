package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.CommandSpec.DATA_OUT;
import static io.tidemark.iscsi.scsi.CommandSpec.MEDIA;
import static io.tidemark.iscsi.scsi.CommandSpec.PR_WRITE;
import static io.tidemark.iscsi.scsi.CommandSpec.WRITES_MEDIUM;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** SBC-3 logical block provisioning: UNMAP and WRITE SAME(10/16). Stateless. */
final class ProvisioningCommands {

    static final int UNMAP = 0x42;
    static final int WRITE_SAME_10 = 0x41;
    static final int WRITE_SAME_16 = 0x93;

    private static final int UNMAP_HEADER = 8;
    private static final int UNMAP_DESCRIPTOR = 16;
    private static final int ANCHOR = 0x10;
    private static final int UNMAP_BIT = 0x08;
    private static final int NDOB = 0x01;

    private ProvisioningCommands() {
    }

    static void register(CommandTable t) {
        t.add(UNMAP, "UNMAP", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM, ProvisioningCommands::unmap,
                0x42, 0x01, 0x00, 0x00, 0x00, 0x00, 0x1f, 0xff, 0xff, 0x07);
        t.add(WRITE_SAME_10, "WRITE SAME(10)", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM,
                ProvisioningCommands::writeSame,
                0x41, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07);
        t.add(WRITE_SAME_16, "WRITE SAME(16)", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM,
                ProvisioningCommands::writeSame,
                0x93, 0xf9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
    }

    /**
     * UNMAP (SBC-3 5.28). Parameter list:
     *
     * <pre>
     *  0-1 UNMAP DATA LENGTH  2-3 BLOCK DESCRIPTOR DATA LENGTH  4-7 reserved
     *  8.. descriptors of 16 bytes: 0-7 LBA, 8-11 NUMBER OF LOGICAL BLOCKS, 12-15 reserved
     * </pre>
     *
     * Every descriptor is checked before any is applied.
     */
    private static CompletableFuture<ScsiResponse> unmap(Task t) {
        if (!t.lu.thin()) {
            throw CheckCondition.of(SenseCode.INVALID_COMMAND_OPERATION_CODE);
        }
        t.requireCdbLength(10);
        int length = Cdb.u16(t.cdb, 7);
        if (length == 0) {
            return Task.good();
        }
        if (length < UNMAP_HEADER) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] p = t.parameterList(length);
        int descriptorBytes = Math.min(Cdb.u16(p, 2), length - UNMAP_HEADER);
        int count = descriptorBytes / UNMAP_DESCRIPTOR;
        if (count > InquiryData.MAX_UNMAP_DESCRIPTORS) {
            throw CheckCondition.invalidParameter(2, -1);
        }
        long capacity = t.lu.unit.blockCount();
        long[] lbas = new long[count];
        long[] blocks = new long[count];
        for (int i = 0; i < count; i++) {
            int off = UNMAP_HEADER + i * UNMAP_DESCRIPTOR;
            lbas[i] = Cdb.u64(p, off);
            blocks[i] = Cdb.u32(p, off + 8);
            if (blocks[i] > InquiryData.MAX_UNMAP_BLOCKS) {
                throw CheckCondition.invalidParameter(off + 8, -1);
            }
            new BlockRange(lbas[i], blocks[i], 0).checkWithin(capacity);
        }
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (int i = 0; i < count; i++) {
            if (blocks[i] > 0) {
                long lba = lbas[i];
                long n = blocks[i];
                done = done.thenCompose(v -> t.lu.unit.unmap(lba, n));
            }
        }
        return done.thenApply(v -> ScsiResponse.good());
    }

    /**
     * WRITE SAME(10/16) (SBC-3 5.41, 5.42): one block of Data-Out (or zeros with NDOB) written to
     * the range, which may be deallocated instead with UNMAP. NUMBER OF BLOCKS 0 means "to the
     * last LBA" (WSNZ is 0), still within MAXIMUM WRITE SAME LENGTH.
     */
    private static CompletableFuture<ScsiResponse> writeSame(Task t) {
        boolean sixteen = (t.cdb[0] & 0xff) == WRITE_SAME_16;
        t.requireCdbLength(sixteen ? 16 : 10);
        int flags = t.cdbByte(1);
        BlockCommands.checkProtect(t);
        boolean unmap = (flags & UNMAP_BIT) != 0;
        boolean anchor = (flags & ANCHOR) != 0;
        boolean ndob = sixteen && (flags & NDOB) != 0;
        if (anchor && !unmap) {
            throw CheckCondition.invalidCdbField(1, 4);
        }
        if (unmap && !t.lu.thin()) {
            throw CheckCondition.invalidCdbField(1, 3);
        }
        long lba = sixteen ? Cdb.u64(t.cdb, 2) : Cdb.u32(t.cdb, 2);
        long blocks = sixteen ? Cdb.u32(t.cdb, 10) : Cdb.u16(t.cdb, 7);
        int lengthOffset = sixteen ? 10 : 7;
        long capacity = t.lu.unit.blockCount();
        if (lba < 0 || lba > capacity) {
            throw CheckCondition.lbaOutOfRange(lba);
        }
        if (blocks == 0) {
            blocks = capacity - lba;
        }
        BlockRange r = new BlockRange(lba, blocks, lengthOffset)
                .checkLength(InquiryData.MAX_WRITE_SAME_BLOCKS)
                .checkWithin(capacity);
        int bs = t.lu.blockSize();
        ByteBuffer block;
        if (ndob) {
            block = ByteBuffer.allocate(bs);
        } else {
            block = t.dataOut();
            if (block.remaining() != bs) {
                throw CheckCondition.of(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT).withTransferLength(bs);
            }
        }
        long wanted = ndob ? 0 : bs;
        if (r.blocks() == 0) {
            return BlockCommands.completed(wanted);
        }
        // With UNMAP the payload is not written: unmapped blocks read as zeros (LBPRZ), as initiators expect.
        CompletableFuture<Void> done = unmap ? t.lu.unit.unmap(r.lba(), r.blocks())
                : t.lu.unit.writeSame(r.lba(), r.blocks(), block, false);
        return done.thenApply(v -> BlockCommands.response(wanted));
    }
}
