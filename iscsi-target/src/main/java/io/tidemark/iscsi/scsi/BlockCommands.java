package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.CommandSpec.DATA_OUT;
import static io.tidemark.iscsi.scsi.CommandSpec.MEDIA;
import static io.tidemark.iscsi.scsi.CommandSpec.PR_READ;
import static io.tidemark.iscsi.scsi.CommandSpec.PR_WRITE;
import static io.tidemark.iscsi.scsi.CommandSpec.WRITES_MEDIUM;

import io.tidemark.iscsi.spi.LogicalUnit;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * SBC-3 data transfer commands: READ CAPACITY, READ, WRITE, WRITE AND VERIFY, VERIFY,
 * SYNCHRONIZE CACHE, PRE-FETCH and GET LBA STATUS. Stateless.
 */
final class BlockCommands {

    static final int SERVICE_ACTION_IN_16 = 0x9E;
    static final int READ_CAPACITY_16 = 0x10;
    static final int GET_LBA_STATUS = 0x12;

    private static final int PROTECT_MASK = 0xE0;
    private static final int FUA = 0x08;
    private static final int LBA_STATUS_DESCRIPTOR_LIMIT = 64;

    private BlockCommands() {
    }

    static void register(CommandTable t) {
        // READ CAPACITY is allowed under every persistent reservation type (SBC-3 table 13).
        t.add(0x25, "READ CAPACITY(10)", 0, BlockCommands::readCapacity10,
                0x25, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x01, 0x07);
        t.addServiceAction(SERVICE_ACTION_IN_16, READ_CAPACITY_16, "READ CAPACITY(16)", 0,
                BlockCommands::readCapacity16,
                0x9E, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x07);
        t.addServiceAction(SERVICE_ACTION_IN_16, GET_LBA_STATUS, "GET LBA STATUS", PR_READ,
                BlockCommands::getLbaStatus,
                0x9E, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x07);
        t.add(0x08, "READ(6)", PR_READ | MEDIA, BlockCommands::read,
                0x08, 0x1f, 0xff, 0xff, 0xff, 0x07);
        t.add(0x28, "READ(10)", PR_READ | MEDIA, BlockCommands::read,
                0x28, 0xfa, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07);
        t.add(0xA8, "READ(12)", PR_READ | MEDIA, BlockCommands::read,
                0xA8, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
        t.add(0x88, "READ(16)", PR_READ | MEDIA, BlockCommands::read,
                0x88, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
        t.add(0x0A, "WRITE(6)", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM, BlockCommands::write,
                0x0A, 0x1f, 0xff, 0xff, 0xff, 0x07);
        t.add(0x2A, "WRITE(10)", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM, BlockCommands::write,
                0x2A, 0xfa, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07);
        t.add(0xAA, "WRITE(12)", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM, BlockCommands::write,
                0xAA, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
        t.add(0x8A, "WRITE(16)", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM, BlockCommands::write,
                0x8A, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
        t.add(0x2E, "WRITE AND VERIFY(10)", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM, BlockCommands::writeAndVerify,
                0x2E, 0xf2, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07);
        t.add(0xAE, "WRITE AND VERIFY(12)", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM, BlockCommands::writeAndVerify,
                0xAE, 0xf2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
        t.add(0x8E, "WRITE AND VERIFY(16)", PR_WRITE | MEDIA | DATA_OUT | WRITES_MEDIUM, BlockCommands::writeAndVerify,
                0x8E, 0xf2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
        t.add(0x2F, "VERIFY(10)", PR_READ | MEDIA, BlockCommands::verify,
                0x2F, 0xf6, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07);
        t.add(0xAF, "VERIFY(12)", PR_READ | MEDIA, BlockCommands::verify,
                0xAF, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
        t.add(0x8F, "VERIFY(16)", PR_READ | MEDIA, BlockCommands::verify,
                0x8F, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
        t.add(0x35, "SYNCHRONIZE CACHE(10)", PR_WRITE, BlockCommands::synchronizeCache,
                0x35, 0x02, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07);
        t.add(0x91, "SYNCHRONIZE CACHE(16)", PR_WRITE, BlockCommands::synchronizeCache,
                0x91, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
        t.add(0x34, "PRE-FETCH(10)", PR_READ, BlockCommands::preFetch,
                0x34, 0x02, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07);
        t.add(0x90, "PRE-FETCH(16)", PR_READ, BlockCommands::preFetch,
                0x90, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07);
    }

    /** READ CAPACITY(10): last LBA (0xFFFFFFFF when it does not fit) and block length. */
    private static CompletableFuture<ScsiResponse> readCapacity10(Task t) {
        t.requireCdbLength(10);
        if (!Cdb.bit(t.cdb, 8, 0) && Cdb.u32(t.cdb, 2) != 0) {
            throw CheckCondition.invalidCdbField(2, -1);
        }
        long last = t.lu.unit.blockCount() - 1;
        byte[] d = new byte[8];
        Cdb.putInt(d, 0, (int) Math.min(last, 0xFFFFFFFFL));
        Cdb.putInt(d, 4, t.lu.blockSize());
        return Task.dataIn(d, d.length);
    }

    /**
     * READ CAPACITY(16).
     *
     * <pre>
     *  0-7 last LBA  8-11 block length  13 LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (3..0)
     *  14 LBPME(7) LBPRZ(6)
     * </pre>
     */
    private static CompletableFuture<ScsiResponse> readCapacity16(Task t) {
        t.requireCdbLength(16);
        if (!Cdb.bit(t.cdb, 14, 0) && Cdb.u64(t.cdb, 2) != 0) {
            throw CheckCondition.invalidCdbField(2, -1);
        }
        byte[] d = new byte[32];
        Cdb.putLong(d, 0, t.lu.unit.blockCount() - 1);
        Cdb.putInt(d, 8, t.lu.blockSize());
        d[13] = InquiryData.PHYSICAL_BLOCK_EXPONENT;
        if (t.lu.thin()) {
            d[14] = (byte) 0xC0;
        }
        return Task.dataIn(d, Cdb.u32(t.cdb, 10));
    }

    /**
     * GET LBA STATUS (SBC-3 5.5): 8-byte header, then 16-byte descriptors {LBA, blocks,
     * provisioning status 0 mapped / 1 deallocated}.
     */
    private static CompletableFuture<ScsiResponse> getLbaStatus(Task t) {
        t.requireCdbLength(16);
        long lba = Cdb.u64(t.cdb, 2);
        long allocation = Cdb.u32(t.cdb, 10);
        LogicalUnit unit = t.lu.unit;
        long capacity = unit.blockCount();
        if (lba < 0 || lba >= capacity) {
            throw CheckCondition.lbaOutOfRange(lba);
        }
        int max = (int) Math.max(1, Math.min(LBA_STATUS_DESCRIPTOR_LIMIT, (allocation - 8) / 16));
        byte[] d = new byte[8 + 16 * max];
        int n = 0;
        // Provisioning is tracked per physical block; libiscsi's get_lba_status_unmap_single expects an
        // unaligned start to be reported from the next physical block boundary.
        long perPhysical = 1L << InquiryData.PHYSICAL_BLOCK_EXPONENT;
        long aligned = (lba + perPhysical - 1) & -perPhysical;
        long at = aligned < capacity ? aligned : lba;
        while (n < max && at < capacity) {
            LogicalUnit.LbaStatus s = unit.lbaStatus(at);
            long blocks = Math.min(Math.max(1, s.blocks()), Math.min(capacity - at, 0xFFFFFFFFL));
            int off = 8 + 16 * n;
            Cdb.putLong(d, off, at);
            Cdb.putInt(d, off + 8, (int) blocks);
            d[off + 12] = (byte) (s.mapped() ? 0 : 1);
            at += blocks;
            n++;
        }
        Cdb.putInt(d, 0, 4 + 16 * n);
        byte[] out = new byte[8 + 16 * n];
        System.arraycopy(d, 0, out, 0, out.length);
        return Task.dataIn(out, allocation);
    }

    private static CompletableFuture<ScsiResponse> read(Task t) {
        BlockRange r = BlockRange.decode(t, true);
        checkProtect(t);
        r.checkWithin(t.lu.unit.blockCount()).checkLength(InquiryData.MAX_TRANSFER_BLOCKS);
        int bs = t.lu.blockSize();
        long wanted = r.blocks() * bs;
        long edtl = t.command.expectedDataTransferLength() & 0xFFFFFFFFL;
        long sent = Math.min(wanted, edtl);
        int blocks = (int) ((sent + bs - 1) / bs);
        ByteBuffer buf = ByteBuffer.allocate(blocks * bs);
        if (blocks == 0) {
            return CompletableFuture.completedFuture(new ScsiResponse(ScsiResponse.GOOD, new byte[0], buf, wanted));
        }
        return t.lu.unit.read(r.lba(), buf.duplicate()).thenApply(v -> {
            buf.limit((int) sent);
            return new ScsiResponse(ScsiResponse.GOOD, new byte[0], buf, wanted);
        });
    }

    private static CompletableFuture<ScsiResponse> write(Task t) {
        BlockRange r = BlockRange.decode(t, true);
        checkProtect(t);
        boolean fua = t.cdb.length > 6 && (t.cdbByte(1) & FUA) != 0;
        return writeBlocks(t, r, fua);
    }

    /** Written with FUA: verification means the data is on the medium; BYTCHK then compares equal data. */
    private static CompletableFuture<ScsiResponse> writeAndVerify(Task t) {
        BlockRange r = BlockRange.decode(t, false);
        checkProtect(t);
        return writeBlocks(t, r, true);
    }

    /**
     * Writes the blocks that arrived. An EDTL below the transfer length that still holds whole
     * blocks writes just those (FCP-4 9.4.2 a); a partial block is INVALID FIELD IN COMMAND
     * INFORMATION UNIT and writes nothing. The residual follows from the transfer length.
     */
    private static CompletableFuture<ScsiResponse> writeBlocks(Task t, BlockRange r, boolean fua) {
        r.checkWithin(t.lu.unit.blockCount()).checkLength(InquiryData.MAX_TRANSFER_BLOCKS);
        int bs = t.lu.blockSize();
        long wanted = r.blocks() * bs;
        ByteBuffer data = t.dataOut();
        if (data.remaining() < wanted && data.remaining() % bs != 0) {
            throw CheckCondition.of(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT).withTransferLength(wanted);
        }
        int bytes = (int) Math.min(wanted, data.remaining());
        data.limit(data.position() + bytes);
        if (bytes == 0) {
            return completed(wanted);
        }
        return t.lu.unit.write(r.lba(), data, fua || !t.lu.writeCacheEnabled()).thenApply(v -> response(wanted));
    }

    /**
     * VERIFY (SBC-3 5.33): BYTCHK 0 checks the medium (nothing to check), 1 compares the
     * Data-Out with the blocks, 3 compares one block of Data-Out with every block.
     */
    private static CompletableFuture<ScsiResponse> verify(Task t) {
        BlockRange r = BlockRange.decode(t, false);
        checkProtect(t);
        int bytchk = (t.cdbByte(1) >>> 1) & 0x03;
        if (bytchk == 2) {
            throw CheckCondition.invalidCdbField(1, 2);
        }
        r.checkWithin(t.lu.unit.blockCount()).checkLength(InquiryData.MAX_TRANSFER_BLOCKS);
        int bs = t.lu.blockSize();
        if (bytchk == 0 || r.blocks() == 0) {
            return Task.good();
        }
        long wanted = bytchk == 1 ? r.blocks() * bs : bs;
        ByteBuffer expected = dataOutBlocks(t, wanted);
        ByteBuffer actual = ByteBuffer.allocate((int) (r.blocks() * bs));
        return t.lu.unit.read(r.lba(), actual.duplicate()).thenApply(v -> {
            for (int i = 0; i < actual.capacity(); i++) {
                byte want = bytchk == 1 ? expected.get(expected.position() + i) : expected.get(expected.position() + i % bs);
                if (actual.get(i) != want) {
                    throw SenseData.of(SenseCode.MISCOMPARE_DURING_VERIFY).information(i).toFailure()
                            .withTransferLength(wanted);
                }
            }
            return response(wanted);
        });
    }

    private static CompletableFuture<ScsiResponse> synchronizeCache(Task t) {
        BlockRange r = synchronizeCacheRange(t);
        r.checkWithin(t.lu.unit.blockCount());
        return t.lu.unit.flush().thenApply(v -> ScsiResponse.good());
    }

    /** Always GOOD: there is no cache to fill, so never CONDITION MET. */
    private static CompletableFuture<ScsiResponse> preFetch(Task t) {
        BlockRange r = synchronizeCacheRange(t);
        r.checkWithin(t.lu.unit.blockCount());
        return Task.good();
    }

    /** SYNCHRONIZE CACHE and PRE-FETCH carry a NUMBER OF BLOCKS where READ has its length. */
    private static BlockRange synchronizeCacheRange(Task t) {
        if (t.cdb[0] == 0x35 || t.cdb[0] == 0x34) {
            t.requireCdbLength(10);
            return new BlockRange(Cdb.u32(t.cdb, 2), Cdb.u16(t.cdb, 7), 7);
        }
        t.requireCdbLength(16);
        return new BlockRange(Cdb.u64(t.cdb, 2), Cdb.u32(t.cdb, 10), 10);
    }

    /** RDPROTECT/WRPROTECT/VRPROTECT must be zero: the unit has no protection information. */
    static void checkProtect(Task t) {
        if (t.cdb.length > 6 && (t.cdbByte(1) & PROTECT_MASK) != 0) {
            throw CheckCondition.invalidCdbField(1, 7);
        }
    }

    /**
     * The first {@code wanted} bytes of the Data-Out. Fewer (EDTL smaller than the CDB asks)
     * is INVALID FIELD IN COMMAND INFORMATION UNIT and nothing is written.
     */
    static ByteBuffer dataOutBlocks(Task t, long wanted) {
        ByteBuffer data = t.dataOut();
        if (data.remaining() < wanted) {
            throw CheckCondition.of(SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT).withTransferLength(wanted);
        }
        data.limit(data.position() + (int) wanted);
        return data;
    }

    static ScsiResponse response(long transferLength) {
        return new ScsiResponse(ScsiResponse.GOOD, new byte[0], ByteBuffer.allocate(0), transferLength);
    }

    static CompletableFuture<ScsiResponse> completed(long transferLength) {
        return CompletableFuture.completedFuture(response(transferLength));
    }
}
