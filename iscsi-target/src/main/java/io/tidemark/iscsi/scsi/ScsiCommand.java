package io.tidemark.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * One SCSI command as handed from the iSCSI session to the SCSI layer, with all of its
 * Data-Out already gathered.
 *
 * @param nexus                      the session it arrived on
 * @param taskTag                    the initiator task tag
 * @param lun                        the LUN number (flat/peripheral addressing decoded)
 * @param cdb                        the CDB (6..16 bytes, or longer with an AHS)
 * @param attribute                  task attribute
 * @param expectedDataTransferLength the initiator's EDTL in bytes
 * @param dataOut                    the Data-Out bytes received (position..limit), at most
 *                                   EDTL bytes; an empty buffer when the command has none
 */
public record ScsiCommand(ItNexus nexus, long taskTag, int lun, byte[] cdb, TaskAttribute attribute,
                          int expectedDataTransferLength, ByteBuffer dataOut) {

    public int opcode() {
        return cdb[0] & 0xff;
    }
}
