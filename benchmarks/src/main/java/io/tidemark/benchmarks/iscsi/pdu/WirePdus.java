package io.tidemark.benchmarks.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tidemark.iscsi.pdu.Bhs;
import io.tidemark.iscsi.pdu.Crc32cDigest;
import io.tidemark.iscsi.pdu.Opcode;
import io.tidemark.iscsi.pdu.ScsiCommandPdu;

/**
 * PDUs as an initiator puts them on the wire, built byte by byte from RFC 7143 (not with the
 * target's own encoder, so a decoder benchmark does not lean on the code it is paired with).
 */
final class WirePdus {

    static final int LOGICAL_BLOCK = 512;
    static final int WRITE_10 = 0x2a;
    private static final int SIMPLE_TASK = 1;

    private WirePdus() {
    }

    /**
     * A SCSI Command carrying WRITE(10) of {@code dataBytes} as immediate data, with CRC32C
     * header and data digests when {@code digests}; a read-only direct buffer of the whole PDU.
     */
    static ByteBuf writeCommandWithImmediateData(int itt, int cmdSn, long lba, int dataBytes, boolean digests) {
        if (dataBytes <= 0 || dataBytes % LOGICAL_BLOCK != 0) {
            throw new IllegalArgumentException("dataBytes: " + dataBytes + " (expected: a positive multiple of "
                    + LOGICAL_BLOCK + ")");
        }
        Crc32cDigest crc = new Crc32cDigest();
        ByteBuf pdu = Unpooled.directBuffer(Bhs.LENGTH + 4 + dataBytes + 3 + 4);
        pdu.writeZero(Bhs.LENGTH);
        pdu.setByte(Bhs.OPCODE_OFFSET, Opcode.SCSI_COMMAND);
        pdu.setByte(Bhs.FLAGS_OFFSET, Bhs.FINAL_BIT | ScsiCommandPdu.WRITE_BIT | SIMPLE_TASK);
        pdu.setMedium(Bhs.DATA_SEGMENT_LENGTH_OFFSET, dataBytes);
        pdu.setLong(Bhs.LUN_OFFSET, 0L);
        pdu.setInt(Bhs.ITT_OFFSET, itt);
        pdu.setInt(ScsiCommandPdu.EDTL_OFFSET, dataBytes);
        pdu.setInt(Bhs.CMD_SN_OFFSET, cmdSn);
        pdu.setInt(Bhs.EXP_STAT_SN_OFFSET, 1);
        int cdb = ScsiCommandPdu.CDB_OFFSET;
        pdu.setByte(cdb, WRITE_10);
        pdu.setInt(cdb + 2, (int) lba);
        pdu.setShort(cdb + 7, dataBytes / LOGICAL_BLOCK);
        if (digests) {
            pdu.writeIntLE(crc.digest(pdu, 0, Bhs.LENGTH));
        }
        int dataStart = pdu.writerIndex();
        for (int i = 0; i < dataBytes; i++) {
            pdu.writeByte(i * 31 + 7);
        }
        pdu.writeZero(Bhs.padding(dataBytes));
        if (digests) {
            pdu.writeIntLE(crc.digestPadded(pdu, dataStart, dataBytes));
        }
        return pdu.asReadOnly();
    }
}
