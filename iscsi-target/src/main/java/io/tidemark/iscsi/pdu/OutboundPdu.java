package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A PDU on its way out: a 48-byte BHS (allocated with 4 spare bytes for the header digest)
 * and an optional data segment, which may wrap caller memory (no copy). The
 * {@link PduEncoder} adds padding and digests. Ownership of both buffers passes to the
 * channel on write. Not thread-safe.
 */
public final class OutboundPdu {

    private final ByteBuf bhs;
    private final ByteBuf data;
    private final boolean advancesStatSn;

    /**
     * @param advancesStatSn whether this PDU carries a status that takes a StatSN (SCSI
     *                       Response, Data-In with S, NOP-In answer, Text, Logout, TMF,
     *                       Login, Reject, Async) or only reports the next one (R2T, Data-In
     *                       without status, NOP-In ping)
     */
    public OutboundPdu(ByteBuf bhs, ByteBuf data, boolean advancesStatSn) {
        this.bhs = bhs;
        this.data = data == null ? Unpooled.EMPTY_BUFFER : data;
        this.advancesStatSn = advancesStatSn;
        Bhs.setDataSegmentLength(bhs, this.data.readableBytes());
    }

    public ByteBuf bhs() {
        return bhs;
    }

    public ByteBuf data() {
        return data;
    }

    public boolean advancesStatSn() {
        return advancesStatSn;
    }

    public int opcode() {
        return Bhs.opcode(bhs);
    }

    /** Fills the three sequence numbers every target PDU carries at the same offsets. */
    public void sequenceNumbers(int statSn, int expCmdSn, int maxCmdSn) {
        bhs.setInt(Bhs.STAT_SN_OFFSET, statSn);
        bhs.setInt(Bhs.EXP_CMD_SN_OFFSET, expCmdSn);
        bhs.setInt(Bhs.MAX_CMD_SN_OFFSET, maxCmdSn);
    }

    public void release() {
        bhs.release();
        data.release();
    }

    @Override
    public String toString() {
        return Opcode.name(opcode()) + " itt=0x" + Integer.toHexString(Bhs.itt(bhs)) + " dsl=" + data.readableBytes();
    }
}
