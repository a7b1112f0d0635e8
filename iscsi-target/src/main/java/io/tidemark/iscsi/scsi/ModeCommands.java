package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.CommandSpec.DATA_OUT;
import static io.tidemark.iscsi.scsi.CommandSpec.PR_READ;
import static io.tidemark.iscsi.scsi.CommandSpec.PR_WRITE;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MODE SENSE(6/10) and MODE SELECT(6/10) (SPC-4 6.11-6.14) over {@link ModePages}. Stateless;
 * the changeable state (WCE) lives in {@link LogicalUnitState}.
 *
 * <pre>
 *  header(6):  0 MODE DATA LENGTH  1 MEDIUM TYPE  2 DEVICE-SPECIFIC (WP 7, DPOFUA 4)  3 BLOCK DESCRIPTOR LENGTH
 *  header(10): 0-1 MODE DATA LENGTH  2 MEDIUM TYPE  3 DEVICE-SPECIFIC  4 LONGLBA(0)  6-7 BLOCK DESCRIPTOR LENGTH
 *  short block descriptor (8):  0-3 NUMBER OF BLOCKS  5-7 BLOCK LENGTH
 *  long block descriptor (16):  0-7 NUMBER OF BLOCKS  12-15 BLOCK LENGTH
 * </pre>
 */
final class ModeCommands {

    private static final Logger LOG = LoggerFactory.getLogger(ModeCommands.class);

    static final int MODE_SELECT_6 = 0x15;
    static final int MODE_SENSE_6 = 0x1A;
    static final int MODE_SELECT_10 = 0x55;
    static final int MODE_SENSE_10 = 0x5A;

    private static final int DPOFUA = 0x10;
    private static final int WP = 0x80;

    private ModeCommands() {
    }

    static void register(CommandTable t) {
        t.add(MODE_SENSE_6, "MODE SENSE(6)", PR_READ, ModeCommands::modeSense,
                0x1A, 0x08, 0xff, 0xff, 0xff, 0x07);
        t.add(MODE_SENSE_10, "MODE SENSE(10)", PR_READ, ModeCommands::modeSense,
                0x5A, 0x18, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x07);
        t.add(MODE_SELECT_6, "MODE SELECT(6)", PR_WRITE | DATA_OUT, ModeCommands::modeSelect,
                0x15, 0x11, 0x00, 0x00, 0xff, 0x07);
        t.add(MODE_SELECT_10, "MODE SELECT(10)", PR_WRITE | DATA_OUT, ModeCommands::modeSelect,
                0x55, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x07);
    }

    private static CompletableFuture<ScsiResponse> modeSense(Task t) {
        boolean ten = (t.cdb[0] & 0xff) == MODE_SENSE_10;
        t.requireCdbLength(ten ? 10 : 6);
        boolean dbd = Cdb.bit(t.cdb, 1, 3);
        boolean llbaa = ten && Cdb.bit(t.cdb, 1, 4);
        int pc = t.cdbByte(2) >>> 6;
        int page = t.cdbByte(2) & 0x3f;
        int subpage = t.cdbByte(3);
        int allocation = ten ? Cdb.u16(t.cdb, 7) : t.cdbByte(4);
        if (pc == ModePages.PC_SAVED) {
            throw CheckCondition.of(SenseCode.SAVING_PARAMETERS_NOT_SUPPORTED);
        }
        byte[] pages = ModePages.pages(page, subpage, pc, t.lu.writeCacheEnabled());
        if (pages == null) {
            throw CheckCondition.invalidCdbField(subpage != 0 && page != ModePages.ALL_PAGES ? 3 : 2, -1);
        }
        long blocks = t.lu.unit.blockCount();
        int bs = t.lu.blockSize();
        byte[] descriptor;
        if (dbd) {
            descriptor = new byte[0];
        } else if (llbaa) {
            descriptor = new byte[16];
            Cdb.putLong(descriptor, 0, blocks);
            Cdb.putInt(descriptor, 12, bs);
        } else {
            descriptor = new byte[8];
            Cdb.putInt(descriptor, 0, (int) Math.min(blocks, 0xFFFFFFFFL));
            Cdb.putInt(descriptor, 4, bs); // byte 4 is reserved, the 24-bit length follows
            descriptor[4] = 0;
        }
        int header = ten ? 8 : 4;
        byte deviceSpecific = (byte) (DPOFUA | (t.lu.readOnly ? WP : 0));
        byte[] d = new byte[header + descriptor.length + pages.length];
        if (ten) {
            Cdb.putShort(d, 0, d.length - 2);
            d[3] = deviceSpecific;
            d[4] = (byte) (llbaa && !dbd ? 1 : 0);
            Cdb.putShort(d, 6, descriptor.length);
        } else {
            d[0] = (byte) Math.min(255, d.length - 1);
            d[2] = deviceSpecific;
            d[3] = (byte) descriptor.length;
        }
        System.arraycopy(descriptor, 0, d, header, descriptor.length);
        System.arraycopy(pages, 0, d, header + descriptor.length, pages.length);
        return Task.dataIn(d, allocation);
    }

    /**
     * MODE SELECT: PF must be 1 and SP 0; block descriptors must repeat the block length; each
     * page may differ from the current one only in changeable bits (WCE).
     */
    private static CompletableFuture<ScsiResponse> modeSelect(Task t) {
        boolean ten = (t.cdb[0] & 0xff) == MODE_SELECT_10;
        t.requireCdbLength(ten ? 10 : 6);
        if (!Cdb.bit(t.cdb, 1, 4)) {
            throw CheckCondition.invalidCdbField(1, 4);
        }
        if (Cdb.bit(t.cdb, 1, 0)) {
            throw CheckCondition.invalidCdbField(1, 0);
        }
        int length = ten ? Cdb.u16(t.cdb, 7) : t.cdbByte(4);
        if (length == 0) {
            return Task.good();
        }
        int header = ten ? 8 : 4;
        if (length < header) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] p = t.parameterList(length);
        int descriptorLength = ten ? Cdb.u16(p, 6) : p[3] & 0xff;
        boolean longLba = ten && (p[4] & 1) != 0;
        int descriptorSize = longLba ? 16 : 8;
        if (header + descriptorLength > length || descriptorLength % descriptorSize != 0) {
            throw CheckCondition.invalidParameter(ten ? 6 : 3, -1);
        }
        for (int off = header; off < header + descriptorLength; off += descriptorSize) {
            long blockLength = longLba ? Cdb.u32(p, off + 12) : Cdb.u24(p, off + 5);
            if (blockLength != t.lu.blockSize()) {
                throw CheckCondition.invalidParameter(off + (longLba ? 12 : 5), -1);
            }
        }
        Boolean newWce = null;
        int off = header + descriptorLength;
        while (off < length) {
            boolean spf = (p[off] & 0x40) != 0;
            int code = p[off] & 0x3f;
            int sub = spf ? (off + 1 < length ? p[off + 1] & 0xff : 0) : 0;
            int pageLength = spf ? (off + 3 < length ? Cdb.u16(p, off + 2) + 4 : Integer.MAX_VALUE)
                    : (off + 1 < length ? (p[off + 1] & 0xff) + 2 : Integer.MAX_VALUE);
            byte[] current = ModePages.pages(code, sub, ModePages.PC_CURRENT, t.lu.writeCacheEnabled());
            byte[] mask = ModePages.changeableMask(code, sub);
            if (current == null || code == ModePages.ALL_PAGES || sub == ModePages.ALL_SUBPAGES) {
                throw CheckCondition.invalidParameter(off, -1);
            }
            if (pageLength != current.length || off + pageLength > length) {
                throw CheckCondition.invalidParameter(off + 1, -1);
            }
            for (int i = 2; i < pageLength; i++) {
                int diff = (p[off + i] ^ current[i]) & 0xff & ~(mask[i] & 0xff);
                if (diff != 0) {
                    throw CheckCondition.invalidParameter(off + i, 31 - Integer.numberOfLeadingZeros(diff));
                }
            }
            if (code == ModePages.CACHING && !spf) {
                newWce = (p[off + ModePages.CACHING_FLAGS] & ModePages.WCE) != 0;
            }
            off += pageLength;
        }
        if (newWce != null && newWce != t.lu.writeCacheEnabled()) {
            t.lu.writeCacheEnabled(newWce);
            t.lu.unitAttentions.establishAll(t.device.nexuses(), t.nexus(), SenseCode.MODE_PARAMETERS_CHANGED);
            LOG.info("volume {}: write cache {} by {}", t.lu.descriptor.name(), newWce ? "enabled" : "disabled",
                    t.nexus().initiatorName());
            if (!newWce) {
                return t.lu.unit.flush().thenApply(v -> ScsiResponse.good());
            }
        }
        return Task.good();
    }
}
