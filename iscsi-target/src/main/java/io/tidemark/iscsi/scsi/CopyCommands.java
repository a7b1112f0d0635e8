package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.CommandSpec.DATA_OUT;
import static io.tidemark.iscsi.scsi.CommandSpec.MEDIA;
import static io.tidemark.iscsi.scsi.CommandSpec.PR_WRITE;

import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.iscsi.spi.LunDescriptor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * EXTENDED COPY (LID1) and RECEIVE COPY RESULTS (SPC-4 6.4, 6.18) for VAAI XCOPY between LUNs
 * of this appliance: identification CSCD descriptors (0xE4) resolved by NAA through the
 * registry, block-to-block segments (0x02). A segment whose destination is read-only ends the
 * command with DATA PROTECT / WRITE PROTECTED before anything is copied. Stateless; outcomes
 * live in {@link CopyResults}.
 *
 * <pre>
 *  parameter list: 0 LIST IDENTIFIER  1 STR(5) LIST ID USAGE(4-3) PRIORITY(2-0)
 *                  2-3 CSCD DESCRIPTOR LIST LENGTH  8-11 SEGMENT DESCRIPTOR LIST LENGTH
 *                  12-15 INLINE DATA LENGTH  16.. CSCD descriptors, then segment descriptors
 *  0xE4 (32 bytes): 0 type  1 LU ID TYPE(7-6) NUL(5) DEVICE TYPE(4-0)  4-23 designation
 *                   descriptor (4-byte header, NAA in 8..23)  29-31 DISK BLOCK LENGTH
 *  0x02 (28 bytes): 0 type  1 DC(1) CAT(0)  2-3 length (0x18)  4-5 source index
 *                   6-7 destination index  10-11 NUMBER OF BLOCKS  12-19 source LBA  20-27 destination LBA
 * </pre>
 */
final class CopyCommands {

    static final int EXTENDED_COPY = 0x83;
    static final int RECEIVE_COPY_RESULTS = 0x84;

    private static final int COPY_STATUS = 0x00;
    private static final int OPERATING_PARAMETERS = 0x03;
    private static final int FAILED_SEGMENT_DETAILS = 0x04;

    static final int MAX_CSCD_DESCRIPTORS = 2;
    static final int MAX_SEGMENT_DESCRIPTORS = 16;
    static final int MAX_DESCRIPTOR_LIST_LENGTH = 1024;
    static final int MAX_SEGMENT_BYTES = 32 * 1024 * 1024;

    private static final int HEADER = 16;
    private static final int IDENTIFICATION_CSCD = 0xE4;
    private static final int CSCD_LENGTH = 32;
    private static final int BLOCK_TO_BLOCK = 0x02;
    private static final int BLOCK_TO_BLOCK_LENGTH = 28;
    private static final int LIST_ID_DISCARD = 3;
    private static final int CHUNK_BLOCKS = 2048;

    private record Segment(int source, int destination, long blocks, long sourceLba, long destinationLba) {}

    private CopyCommands() {
    }

    static void register(CommandTable t) {
        t.add(EXTENDED_COPY, "EXTENDED COPY(LID1)", PR_WRITE | MEDIA | DATA_OUT, CopyCommands::extendedCopy,
                0x83, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x07);
        int[] usage = {0x84, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x07};
        usage[1] = COPY_STATUS;
        t.addServiceAction(RECEIVE_COPY_RESULTS, COPY_STATUS, "RECEIVE COPY RESULTS/COPY STATUS", 0,
                CopyCommands::receiveCopyResults, usage.clone());
        usage[1] = OPERATING_PARAMETERS;
        t.addServiceAction(RECEIVE_COPY_RESULTS, OPERATING_PARAMETERS, "RECEIVE COPY RESULTS/OPERATING PARAMETERS", 0,
                CopyCommands::receiveCopyResults, usage.clone());
        usage[1] = FAILED_SEGMENT_DETAILS;
        t.addServiceAction(RECEIVE_COPY_RESULTS, FAILED_SEGMENT_DETAILS,
                "RECEIVE COPY RESULTS/FAILED SEGMENT DETAILS", 0, CopyCommands::receiveCopyResults, usage.clone());
    }

    private static CompletableFuture<ScsiResponse> extendedCopy(Task t) {
        t.requireCdbLength(16);
        if ((t.cdbByte(1) & 0x1f) != 0) {
            throw CheckCondition.invalidCdbField(1, 4);
        }
        long length = Cdb.u32(t.cdb, 10);
        if (length == 0) {
            return Task.good();
        }
        if (length < HEADER) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] p = t.parameterList((int) Math.min(length, HEADER + MAX_DESCRIPTOR_LIST_LENGTH + 4096L));
        int listId = p[0] & 0xff;
        int usage = (p[1] >>> 3) & 0x03;
        int cscdLength = Cdb.u16(p, 2);
        long segmentLength = Cdb.u32(p, 8);
        long inlineLength = Cdb.u32(p, 12);
        if (cscdLength + segmentLength > MAX_DESCRIPTOR_LIST_LENGTH) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (HEADER + cscdLength + segmentLength + inlineLength > length) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        if (inlineLength != 0) {
            throw CheckCondition.invalidParameter(12, -1);
        }
        if (cscdLength / CSCD_LENGTH > MAX_CSCD_DESCRIPTORS) {
            throw CheckCondition.of(SenseCode.TOO_MANY_TARGET_DESCRIPTORS);
        }
        List<Integer> segmentOffsets = new ArrayList<>();
        int end = HEADER + cscdLength + (int) segmentLength;
        for (int off = HEADER + cscdLength; off < end; off += Cdb.u16(p, off + 2) + 4) {
            if (off + 4 > end) {
                throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            segmentOffsets.add(off);
        }
        if (segmentOffsets.size() > MAX_SEGMENT_DESCRIPTORS) {
            throw CheckCondition.of(SenseCode.TOO_MANY_SEGMENT_DESCRIPTORS);
        }
        List<LogicalUnit> units = new ArrayList<>();
        for (int off = HEADER; off + CSCD_LENGTH <= HEADER + cscdLength; off += CSCD_LENGTH) {
            units.add(resolve(t, p, off));
        }
        List<Segment> segments = new ArrayList<>();
        for (int off : segmentOffsets) {
            if ((p[off] & 0xff) != BLOCK_TO_BLOCK) {
                throw SenseData.of(SenseCode.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE).parameterField(off, -1)
                        .toFailure();
            }
            if (off + BLOCK_TO_BLOCK_LENGTH > end) {
                throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            segments.add(new Segment(Cdb.u16(p, off + 4), Cdb.u16(p, off + 6), Cdb.u16(p, off + 10),
                    Cdb.u64(p, off + 12), Cdb.u64(p, off + 20)));
        }
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (s.source() >= units.size() || s.destination() >= units.size()) {
                throw record(t, listId, usage, SenseData.of(SenseCode.COPY_TARGET_DEVICE_NOT_REACHABLE)
                        .commandSpecific(i).build(), i, 0);
            }
            if (!fits(units.get(s.source()), s.sourceLba(), s.blocks())
                    || !fits(units.get(s.destination()), s.destinationLba(), s.blocks())) {
                throw record(t, listId, usage, SenseData.of(SenseCode.COPY_ABORTED).commandSpecific(i).build(), i, 0);
            }
            // a read-only source (a point-in-time view) is fine; only the destination must be writable
            if (units.get(s.destination()).readOnly()) {
                throw record(t, listId, usage, SenseData.of(SenseCode.WRITE_PROTECTED).commandSpecific(i).build(),
                        i, 0);
            }
        }
        CompletableFuture<Long> copied = CompletableFuture.completedFuture(0L);
        for (Segment s : segments) {
            copied = copied.thenCompose(total -> copy(units.get(s.source()), s.sourceLba(),
                    units.get(s.destination()), s.destinationLba(), s.blocks()).thenApply(n -> total + n));
        }
        return copied.handle((total, failure) -> {
            if (failure != null) {
                throw record(t, listId, usage, SenseData.of(SenseCode.COPY_ABORTED).build(), 0, 0);
            }
            if (usage != LIST_ID_DISCARD) {
                t.lu.copyResults.put(t.nexus(), listId,
                        new CopyResults.Outcome(ScsiResponse.GOOD, new byte[0], segments.size(), total));
            }
            return ScsiResponse.good();
        });
    }

    /** Resolves a CSCD descriptor to a logical unit of this appliance by its NAA designator. */
    private static LogicalUnit resolve(Task t, byte[] p, int off) {
        if ((p[off] & 0xff) != IDENTIFICATION_CSCD) {
            throw SenseData.of(SenseCode.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE).parameterField(off, -1).toFailure();
        }
        if ((p[off + 1] & 0x1f) != 0) {
            throw SenseData.of(SenseCode.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE).parameterField(off + 1, 4).toFailure();
        }
        int designatorType = p[off + 5] & 0x0f;
        int designatorLength = p[off + 7] & 0xff;
        Optional<LunDescriptor> lun = Optional.empty();
        if (designatorType == 0x03 && designatorLength == 16) {
            lun = t.device.registry().lunByNaa(Arrays.copyOfRange(p, off + 8, off + 24));
            if (lun.isEmpty() && Arrays.equals(t.lu.descriptor.naaId(), Arrays.copyOfRange(p, off + 8, off + 24))) {
                lun = Optional.of(t.lu.descriptor);
            }
        }
        return lun.orElseThrow(() -> CheckCondition.of(SenseCode.COPY_TARGET_DEVICE_NOT_REACHABLE)).unit();
    }

    private static boolean fits(LogicalUnit unit, long lba, long blocks) {
        long capacity = unit.blockCount();
        return lba >= 0 && lba <= capacity && blocks <= capacity - lba
                && blocks * unit.blockSize() <= MAX_SEGMENT_BYTES;
    }

    private static CompletableFuture<Long> copy(LogicalUnit from, long fromLba, LogicalUnit to, long toLba, long blocks) {
        if (blocks == 0) {
            return CompletableFuture.completedFuture(0L);
        }
        int n = (int) Math.min(blocks, CHUNK_BLOCKS);
        ByteBuffer buf = ByteBuffer.allocate(n * from.blockSize());
        return from.read(fromLba, buf.duplicate())
                .thenCompose(v -> to.write(toLba, buf.duplicate(), false))
                .thenCompose(v -> copy(from, fromLba + n, to, toLba + n, blocks - n))
                .thenApply(rest -> rest + (long) n * from.blockSize());
    }

    private static CheckCondition record(Task t, int listId, int usage, byte[] sense, int segments, long bytes) {
        if (usage != LIST_ID_DISCARD) {
            t.lu.copyResults.put(t.nexus(), listId,
                    new CopyResults.Outcome(ScsiResponse.CHECK_CONDITION, sense, segments, bytes));
        }
        return new CheckCondition(sense);
    }

    private static CompletableFuture<ScsiResponse> receiveCopyResults(Task t) {
        t.requireCdbLength(16);
        int action = t.cdbByte(1) & 0x1f;
        long allocation = Cdb.u32(t.cdb, 10);
        if (action == OPERATING_PARAMETERS) {
            return Task.dataIn(operatingParameters(), allocation);
        }
        CopyResults.Outcome outcome = t.lu.copyResults.get(t.nexus(), t.cdbByte(2));
        if (outcome == null) {
            throw CheckCondition.invalidCdbField(2, -1);
        }
        byte[] d;
        if (action == COPY_STATUS) {
            d = new byte[12];
            Cdb.putInt(d, 0, 8);
            d[4] = (byte) (outcome.status() == ScsiResponse.GOOD ? 0x01 : 0x02);
            Cdb.putShort(d, 5, outcome.segments());
            d[7] = 0x00; // bytes
            Cdb.putInt(d, 8, (int) Math.min(outcome.transferredBytes(), 0xFFFFFFFFL));
        } else {
            d = new byte[64 + outcome.sense().length];
            Cdb.putInt(d, 0, d.length - 4);
            d[60] = (byte) outcome.status();
            Cdb.putShort(d, 62, outcome.sense().length);
            System.arraycopy(outcome.sense(), 0, d, 64, outcome.sense().length);
        }
        return Task.dataIn(d, allocation);
    }

    /**
     * OPERATING PARAMETERS: descriptor limits, then the implemented descriptor type codes.
     *
     * <pre>
     *  8-9 MAX CSCD DESCRIPTORS  10-11 MAX SEGMENT DESCRIPTORS  12-15 MAX DESCRIPTOR LIST LENGTH
     *  16-19 MAX SEGMENT LENGTH  34-35 TOTAL CONCURRENT COPIES  36 MAX CONCURRENT COPIES
     *  37-39 granularities (log2)  43 IMPLEMENTED DESCRIPTOR LIST LENGTH  44.. codes
     * </pre>
     */
    private static byte[] operatingParameters() {
        byte[] d = new byte[46];
        Cdb.putInt(d, 0, d.length - 4);
        Cdb.putShort(d, 8, MAX_CSCD_DESCRIPTORS);
        Cdb.putShort(d, 10, MAX_SEGMENT_DESCRIPTORS);
        Cdb.putInt(d, 12, MAX_DESCRIPTOR_LIST_LENGTH);
        Cdb.putInt(d, 16, MAX_SEGMENT_BYTES);
        Cdb.putShort(d, 34, 1);
        d[36] = 1;
        d[37] = 9;
        d[38] = 9;
        d[39] = 9;
        d[43] = 2;
        d[44] = BLOCK_TO_BLOCK;
        d[45] = (byte) IDENTIFICATION_CSCD;
        return d;
    }
}
