package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One received PDU: its BHS, optional AHS and data segment (padding and digests stripped),
 * the data a retained slice of the receive buffer. Whoever takes a Pdu calls {@link #release()}
 * once. A PDU whose data could not be trusted carries a {@link Defect} instead of being an
 * exception, so the session can answer with a Reject and carry on. Not thread-safe.
 */
public final class Pdu {

    /** What the decoder found wrong with a PDU whose framing is still intact. */
    public enum Defect {
        NONE,
        /** The data digest did not match; {@link #data()} holds the received bytes. */
        DATA_DIGEST,
        /** DataSegmentLength exceeded our MaxRecvDataSegmentLength; the data was skipped. */
        DATA_TOO_LONG
    }

    private final ByteBuf bhs;
    private final ByteBuf ahs;
    private ByteBuf data;
    private final Defect defect;

    public Pdu(ByteBuf bhs, ByteBuf ahs, ByteBuf data, Defect defect) {
        this.bhs = bhs;
        this.ahs = ahs == null ? Unpooled.EMPTY_BUFFER : ahs;
        this.data = data == null ? Unpooled.EMPTY_BUFFER : data;
        this.defect = defect;
    }

    public ByteBuf bhs() {
        return bhs;
    }

    public ByteBuf ahs() {
        return ahs;
    }

    /** The data segment without padding (reader index 0 .. DataSegmentLength). */
    public ByteBuf data() {
        return data;
    }

    /** Hands the data segment over to the caller, who then releases it. */
    public ByteBuf takeData() {
        ByteBuf d = data;
        data = Unpooled.EMPTY_BUFFER;
        return d;
    }

    public Defect defect() {
        return defect;
    }

    public int opcode() {
        return Bhs.opcode(bhs);
    }

    public boolean immediate() {
        return Bhs.immediate(bhs);
    }

    public int itt() {
        return Bhs.itt(bhs);
    }

    public void release() {
        bhs.release();
        ahs.release();
        data.release();
    }

    @Override
    public String toString() {
        return Opcode.name(opcode()) + " itt=0x" + Integer.toHexString(itt()) + " dsl=" + Bhs.dataSegmentLength(bhs);
    }
}
