package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into {@link Pdu}s with an explicit state machine: BHS -> AHS ->
 * header digest -> data (padded to 4) -> data digest. Each step returns when it needs more
 * bytes; the data segment is a retained slice (no copy), the 48-byte header a small copy.
 * Digests are switched on by the login layer once the login completes. A defect that keeps the framing intact becomes a
 * {@link Pdu.Defect}; one that loses it emits a single {@link FramingLost} and discards the
 * rest of the stream. Not thread-safe: lives in one channel pipeline.
 */
public final class PduDecoder extends ByteToMessageDecoder {

    private enum State { BHS, AHS, HEADER_DIGEST, DATA, SKIP_DATA, DATA_DIGEST, DISCARD }

    private final Crc32cDigest crc = new Crc32cDigest();
    private State state = State.BHS;
    private boolean headerDigest;
    private boolean dataDigest;
    private int maxDataSegmentLength;
    private boolean loginPhase = true;

    private ByteBuf bhs;
    private ByteBuf ahs;
    private ByteBuf data;
    private int dataLength;
    private long skipRemaining;
    private Pdu.Defect defect = Pdu.Defect.NONE;

    /** @param maxDataSegmentLength the largest data segment accepted (our MaxRecvDataSegmentLength) */
    public PduDecoder(int maxDataSegmentLength) {
        this.maxDataSegmentLength = maxDataSegmentLength;
    }

    /** Applies to every PDU whose BHS has not been read yet. */
    public void enableDigests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    /**
     * Until login completes only Login Requests of acceptable size may arrive; anything else
     * means the peer does not speak iSCSI, so framing is declared lost at once instead of
     * waiting for a data segment of arbitrary length.
     */
    public void loginPhase(boolean value) {
        this.loginPhase = value;
    }

    public void maxDataSegmentLength(int max) {
        this.maxDataSegmentLength = max;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            switch (state) {
                case BHS -> {
                    if (!readBhs(ctx, in)) {
                        return;
                    }
                    if (loginPhase && (Bhs.opcode(bhs) != Opcode.LOGIN_REQUEST
                            || Bhs.dataSegmentLength(bhs) > maxDataSegmentLength)) {
                        lose(out, "expected a Login Request before full feature phase, got "
                                + Opcode.name(Bhs.opcode(bhs)) + " with DataSegmentLength "
                                + Bhs.dataSegmentLength(bhs));
                        return;
                    }
                }
                case AHS -> {
                    int ahsLength = Bhs.totalAhsBytes(bhs);
                    if (in.readableBytes() < ahsLength) {
                        return;
                    }
                    if (ahsLength > 0) {
                        ahs = ctx.alloc().buffer(ahsLength);
                        in.readBytes(ahs, ahsLength);
                    }
                    state = State.HEADER_DIGEST;
                }
                case HEADER_DIGEST -> {
                    if (headerDigest) {
                        if (in.readableBytes() < Crc32cDigest.LENGTH) {
                            return;
                        }
                        if (!checkHeaderDigest(in.readIntLE())) {
                            lose(out, "header digest mismatch on " + Opcode.name(Bhs.opcode(bhs)));
                            continue;
                        }
                    }
                    startData();
                    if (state == State.DATA && dataLength == 0) {
                        data = null;
                        emit(out);
                        return;
                    }
                }
                case DATA -> {
                    int padded = dataLength + Bhs.padding(dataLength);
                    if (in.readableBytes() < padded) {
                        return;
                    }
                    data = in.readRetainedSlice(dataLength);
                    in.skipBytes(padded - dataLength);
                    state = dataDigest && dataLength > 0 ? State.DATA_DIGEST : State.BHS;
                    if (state == State.BHS) {
                        emit(out);
                        return;
                    }
                }
                case SKIP_DATA -> {
                    int n = (int) Math.min(skipRemaining, in.readableBytes());
                    in.skipBytes(n);
                    skipRemaining -= n;
                    if (skipRemaining > 0) {
                        return;
                    }
                    emit(out);
                    return;
                }
                case DATA_DIGEST -> {
                    if (in.readableBytes() < Crc32cDigest.LENGTH) {
                        return;
                    }
                    int received = in.readIntLE();
                    if (received != crc.digestPadded(data, data.readerIndex(), dataLength)) {
                        defect = Pdu.Defect.DATA_DIGEST;
                    }
                    emit(out);
                    return;
                }
                case DISCARD -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
    }

    private boolean readBhs(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < Bhs.LENGTH) {
            return false;
        }
        // a 48-byte copy, not a slice: a slice held while the data segment arrives would make
        // every following read copy the whole receive buffer
        bhs = ctx.alloc().buffer(Bhs.LENGTH);
        in.readBytes(bhs, Bhs.LENGTH);
        state = State.AHS;
        return true;
    }

    private boolean checkHeaderDigest(int received) {
        int expected = crc.digest(bhs, bhs.readerIndex(), Bhs.LENGTH);
        if (ahs != null) {
            // the header digest covers BHS and AHS as one run of bytes
            ByteBuf whole = io.netty.buffer.Unpooled.wrappedBuffer(bhs.retainedDuplicate(), ahs.retainedDuplicate());
            try {
                expected = crc.digest(whole, 0, whole.readableBytes());
            } finally {
                whole.release();
            }
        }
        return expected == received;
    }

    private void startData() {
        dataLength = Bhs.dataSegmentLength(bhs);
        if (dataLength > maxDataSegmentLength) {
            defect = Pdu.Defect.DATA_TOO_LONG;
            skipRemaining = (long) dataLength + Bhs.padding(dataLength) + (dataDigest ? Crc32cDigest.LENGTH : 0);
            state = State.SKIP_DATA;
        } else {
            state = State.DATA;
        }
    }

    private void emit(List<Object> out) {
        out.add(new Pdu(bhs, ahs, data, defect));
        bhs = null;
        ahs = null;
        data = null;
        defect = Pdu.Defect.NONE;
        state = State.BHS;
    }

    private void lose(List<Object> out, String reason) {
        releaseParts();
        state = State.DISCARD;
        out.add(new FramingLost(reason));
    }

    private void releaseParts() {
        for (ByteBuf b : new ByteBuf[] {bhs, ahs, data}) {
            if (b != null) {
                b.release();
            }
        }
        bhs = null;
        ahs = null;
        data = null;
    }

    /** Bytes of a PDU started but not finished (for the "closed mid-PDU" log line). */
    public boolean midPdu() {
        return state != State.BHS && state != State.DISCARD || bhs != null;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state != State.DISCARD && (in.isReadable() || state != State.BHS)) {
            decode(ctx, in, out);
            if (state != State.BHS || in.isReadable()) {
                int pending = in.readableBytes();
                in.skipBytes(pending);
                releaseParts();
                state = State.DISCARD;
                out.add(new FramingLost("connection closed inside a PDU (" + pending + " bytes of it pending)"));
            }
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releaseParts();
    }
}
