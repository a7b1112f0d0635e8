package io.tidemark.iscsi.scsi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Standard INQUIRY data and the vital product data pages (SPC-4 6.6, 7.8; SBC-3 6.5).
 * Stateless: every method builds a fresh array.
 */
final class InquiryData {

    static final String VENDOR = "TIDEMARK";
    static final String PRODUCT = "Tidemark volume";
    static final String REVISION = "0001";

    /** Pages we answer, ascending as SPC-4 requires for page 0x00. */
    static final int[] SUPPORTED_PAGES = {0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2};

    static final int TARGET_PORT_GROUP = 1;
    static final int STANDARD_LENGTH = 96;

    // Block limits we advertise (VPD 0xB0) and enforce.
    static final int MAX_TRANSFER_BLOCKS = 65536;
    static final int OPTIMAL_TRANSFER_BLOCKS = 2048;
    static final int GRANULARITY_BLOCKS = 8;
    static final int MAX_UNMAP_BLOCKS = 0x40000;
    static final int MAX_UNMAP_DESCRIPTORS = 64;
    static final int MAX_WRITE_SAME_BLOCKS = 0x40000;
    static final int MAX_COMPARE_AND_WRITE_BLOCKS = 1;
    // WRITE ATOMIC(16) limits: whole 4 KiB physical blocks, up to the optimal transfer length.
    static final int MAX_ATOMIC_TRANSFER_BLOCKS = OPTIMAL_TRANSFER_BLOCKS;
    static final int ATOMIC_ALIGNMENT_BLOCKS = 8;
    static final int ATOMIC_GRANULARITY_BLOCKS = 8;
    static final int PHYSICAL_BLOCK_EXPONENT = 3;

    private static final int VERSION_SPC4 = 0x06;
    private static final int[] VERSION_DESCRIPTORS = {0x00A0 /* SAM-5 */, 0x0960 /* iSCSI */,
            0x0460 /* SPC-4 */, 0x04C0 /* SBC-3 */};

    private InquiryData() {
    }

    /**
     * Standard INQUIRY data.
     *
     * <pre>
     *  0 qualifier|type  2 VERSION  3 HISUP|format 2  4 ADDITIONAL LENGTH
     *  5 TPGS(5-4) 3PC(3)  7 CMDQUE(1)  8-15 vendor  16-31 product  32-35 revision
     *  58-73 version descriptors
     * </pre>
     */
    static byte[] standard(boolean present) {
        byte[] d = new byte[STANDARD_LENGTH];
        d[0] = (byte) (present ? 0x00 : 0x7F);
        d[2] = VERSION_SPC4;
        d[3] = 0x12;
        d[4] = (byte) (STANDARD_LENGTH - 5);
        d[5] = 0x10 | 0x08;
        d[7] = 0x02;
        Cdb.putAscii(d, 8, 8, VENDOR);
        Cdb.putAscii(d, 16, 16, PRODUCT);
        Cdb.putAscii(d, 32, 4, REVISION);
        for (int i = 0; i < VERSION_DESCRIPTORS.length; i++) {
            Cdb.putShort(d, 58 + 2 * i, VERSION_DESCRIPTORS[i]);
        }
        return d;
    }

    static byte[] supportedPages() {
        byte[] d = header(0x00, SUPPORTED_PAGES.length);
        for (int i = 0; i < SUPPORTED_PAGES.length; i++) {
            d[4 + i] = (byte) SUPPORTED_PAGES[i];
        }
        return d;
    }

    /** Unit serial number: the volume name. */
    static byte[] unitSerial(String volume) {
        byte[] s = volume.getBytes(StandardCharsets.US_ASCII);
        byte[] d = header(0x80, s.length);
        System.arraycopy(s, 0, d, 4, s.length);
        return d;
    }

    /**
     * Device identification: NAA (LU), relative target port, target port group, SCSI target
     * port name and SCSI target name designators.
     */
    static byte[] deviceIdentification(byte[] naaId, ItNexus nexus) {
        ByteArrayOutputStream ids = new ByteArrayOutputStream();
        designator(ids, 0x01, 0x03, naaId);
        byte[] port = new byte[4];
        Cdb.putShort(port, 2, relativePort(nexus));
        designator(ids, 0x51, 0x80 | 0x10 | 0x04, port);
        byte[] group = new byte[4];
        Cdb.putShort(group, 2, TARGET_PORT_GROUP);
        designator(ids, 0x51, 0x80 | 0x10 | 0x05, group);
        designator(ids, 0x53, 0x80 | 0x10 | 0x08, scsiName(nexus.targetPortName()));
        designator(ids, 0x53, 0x80 | 0x20 | 0x08, scsiName(nexus.targetName()));
        byte[] body = ids.toByteArray();
        byte[] d = header(0x83, body.length);
        System.arraycopy(body, 0, d, 4, body.length);
        return d;
    }

    /**
     * Block limits (SBC-4), page length 0x3C.
     *
     * <pre>
     *  5 MAXIMUM COMPARE AND WRITE LENGTH  6-7 OPTIMAL TRANSFER LENGTH GRANULARITY
     *  8-11 MAXIMUM TRANSFER LENGTH  12-15 OPTIMAL TRANSFER LENGTH
     *  20-23 MAXIMUM UNMAP LBA COUNT  24-27 MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
     *  28-31 OPTIMAL UNMAP GRANULARITY  32-35 UGAVALID(31) UNMAP GRANULARITY ALIGNMENT
     *  36-43 MAXIMUM WRITE SAME LENGTH  44-47 MAXIMUM ATOMIC TRANSFER LENGTH  48-51 ATOMIC ALIGNMENT
     *  52-55 ATOMIC TRANSFER LENGTH GRANULARITY  56-59 MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC
     *  BOUNDARY  60-63 MAXIMUM ATOMIC BOUNDARY SIZE (both 0: no atomic boundaries)
     * </pre>
     */
    static byte[] blockLimits(boolean thin) {
        byte[] d = header(0xB0, 0x3C);
        d[5] = MAX_COMPARE_AND_WRITE_BLOCKS;
        Cdb.putShort(d, 6, GRANULARITY_BLOCKS);
        Cdb.putInt(d, 8, MAX_TRANSFER_BLOCKS);
        Cdb.putInt(d, 12, OPTIMAL_TRANSFER_BLOCKS);
        if (thin) {
            Cdb.putInt(d, 20, MAX_UNMAP_BLOCKS);
            Cdb.putInt(d, 24, MAX_UNMAP_DESCRIPTORS);
            Cdb.putInt(d, 28, GRANULARITY_BLOCKS);
            Cdb.putInt(d, 32, 0x80000000); // UGAVALID, alignment 0
        }
        Cdb.putLong(d, 36, MAX_WRITE_SAME_BLOCKS);
        Cdb.putInt(d, 44, MAX_ATOMIC_TRANSFER_BLOCKS);
        Cdb.putInt(d, 48, ATOMIC_ALIGNMENT_BLOCKS);
        Cdb.putInt(d, 52, ATOMIC_GRANULARITY_BLOCKS);
        return d;
    }

    /** Block device characteristics: non-rotating medium. */
    static byte[] blockDeviceCharacteristics() {
        byte[] d = header(0xB1, 0x3C);
        Cdb.putShort(d, 4, 0x0001);
        return d;
    }

    /** Logical block provisioning: LBPU, LBPWS, LBPWS10, LBPRZ, ANC_SUP; thin or full. */
    static byte[] logicalBlockProvisioning(boolean thin) {
        byte[] d = header(0xB2, 4);
        if (thin) {
            d[5] = (byte) (0x80 | 0x40 | 0x20 | 0x04 | 0x02);
            d[6] = 0x02;
        }
        return d;
    }

    static int relativePort(ItNexus nexus) {
        return Math.max(1, nexus.portalGroupTag());
    }

    private static byte[] header(int page, int length) {
        byte[] d = new byte[4 + length];
        d[1] = (byte) page;
        Cdb.putShort(d, 2, length);
        return d;
    }

    private static void designator(ByteArrayOutputStream out, int protocolAndCodeSet, int associationAndType,
                                   byte[] value) {
        out.write(protocolAndCodeSet);
        out.write(associationAndType);
        out.write(0);
        out.write(value.length);
        out.writeBytes(value);
    }

    /** A SCSI name string: UTF-8, NUL-terminated, padded to a multiple of 4 bytes. */
    private static byte[] scsiName(String name) {
        byte[] s = name.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[(s.length + 1 + 3) & ~3];
        System.arraycopy(s, 0, out, 0, s.length);
        return out;
    }
}
