package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.CommandSpec.PR_READ;

import java.util.concurrent.CompletableFuture;

/**
 * READ DEFECT DATA (10) and (12) (SBC-3 5.14, 5.15), answered as a virtual disk answers them:
 * the primary (PLIST) and grown (GLIST) defect lists exist and are empty, in whatever address
 * descriptor format is asked for. Stateless.
 *
 * <pre>
 *  CDB (10):  0 opcode 37h  2 REQ_PLIST(4) REQ_GLIST(3) DEFECT LIST FORMAT(2..0)
 *             7-8 ALLOCATION LENGTH  9 CONTROL
 *  CDB (12):  0 opcode B7h  1 REQ_PLIST(4) REQ_GLIST(3) DEFECT LIST FORMAT(2..0)
 *             2-5 ADDRESS DESCRIPTOR INDEX  6-9 ALLOCATION LENGTH  11 CONTROL
 *
 *  header (10):  0 reserved  1 PLISTV(4) GLISTV(3) DEFECT LIST FORMAT(2..0)  2-3 DEFECT LIST LENGTH
 *  header (12):  0 reserved  1 PLISTV(4) GLISTV(3) DEFECT LIST FORMAT(2..0)  2-3 GENERATION CODE
 *                4-7 DEFECT LIST LENGTH
 * </pre>
 */
final class DefectDataCommands {

    static final int READ_DEFECT_DATA_10 = 0x37;
    static final int READ_DEFECT_DATA_12 = 0xB7;

    static final int REQ_PLIST = 0x10;
    static final int REQ_GLIST = 0x08;
    static final int FORMAT_MASK = 0x07;
    /** DEFECT LIST FORMAT 111b is reserved; 000b..110b are address descriptor formats or vendor specific. */
    static final int RESERVED_FORMAT = 0x07;

    static final int HEADER_10_LENGTH = 4;
    static final int HEADER_12_LENGTH = 8;
    private static final int FLAGS_OFFSET_10 = 2;
    private static final int FLAGS_OFFSET_12 = 1;
    private static final int HEADER_FLAGS_OFFSET = 1;

    private DefectDataCommands() {
    }

    static void register(CommandTable t) {
        // Reads no user data but reports on the medium: conflicts only under Exclusive Access, as READ does.
        t.add(READ_DEFECT_DATA_10, "READ DEFECT DATA(10)", PR_READ, DefectDataCommands::readDefectData10,
                0x37, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x07);
        t.add(READ_DEFECT_DATA_12, "READ DEFECT DATA(12)", PR_READ, DefectDataCommands::readDefectData12,
                0xB7, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x07);
    }

    private static CompletableFuture<ScsiResponse> readDefectData10(Task t) {
        t.requireCdbLength(10);
        byte[] header = new byte[HEADER_10_LENGTH];
        header[HEADER_FLAGS_OFFSET] = (byte) headerFlags(t.cdbByte(FLAGS_OFFSET_10), FLAGS_OFFSET_10);
        // DEFECT LIST LENGTH (bytes 2-3) stays 0: no defects.
        return Task.dataIn(header, Cdb.u16(t.cdb, 7));
    }

    /** The ADDRESS DESCRIPTOR INDEX needs no check: every index is at or past the end of an empty list. */
    private static CompletableFuture<ScsiResponse> readDefectData12(Task t) {
        t.requireCdbLength(12);
        byte[] header = new byte[HEADER_12_LENGTH];
        header[HEADER_FLAGS_OFFSET] = (byte) headerFlags(t.cdbByte(FLAGS_OFFSET_12), FLAGS_OFFSET_12);
        // GENERATION CODE 0: not supported (nothing ever changes); DEFECT LIST LENGTH 0.
        return Task.dataIn(header, Cdb.u32(t.cdb, 6));
    }

    /**
     * PLISTV/GLISTV echo REQ_PLIST/REQ_GLIST (each list asked for is returned, empty) and the
     * format echoes the one asked for, which an empty list satisfies in any format.
     */
    private static int headerFlags(int cdbFlags, int cdbOffset) {
        int format = cdbFlags & FORMAT_MASK;
        if (format == RESERVED_FORMAT) {
            throw CheckCondition.invalidCdbField(cdbOffset, 2);
        }
        return cdbFlags & (REQ_PLIST | REQ_GLIST | FORMAT_MASK);
    }
}
