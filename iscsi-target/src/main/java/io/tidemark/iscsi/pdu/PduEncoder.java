package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Writes {@link OutboundPdu}s as BHS (+ header digest), data segment as given (no copy) and
 * a small trailer of padding (+ data digest); the transport gathers them into one write.
 * Not thread-safe: lives in one channel pipeline.
 */
public final class PduEncoder extends ChannelOutboundHandlerAdapter {

    private static final ByteBuf ZERO_PAD = Unpooled.unreleasableBuffer(Unpooled.directBuffer(4).writeZero(4));

    private final Crc32cDigest crc = new Crc32cDigest();
    private boolean headerDigest;
    private boolean dataDigest;

    /** Applies to every PDU written after this call. */
    public void enableDigests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    /** Allocates a BHS buffer with room for the header digest. */
    public static ByteBuf allocateBhs(io.netty.buffer.ByteBufAllocator alloc) {
        return alloc.directBuffer(Bhs.LENGTH + Crc32cDigest.LENGTH);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof OutboundPdu pdu)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf bhs = pdu.bhs();
        if (headerDigest) {
            int digest = crc.digest(bhs, bhs.readerIndex(), Bhs.LENGTH);
            bhs.writeIntLE(digest);
        }
        ByteBuf data = pdu.data();
        int length = data.readableBytes();
        if (length == 0) {
            data.release();
            ctx.write(bhs, promise);
            return;
        }
        ctx.write(bhs, ctx.voidPromise());
        int pad = Bhs.padding(length);
        if (dataDigest) {
            int digest = crc.digestPadded(data, data.readerIndex(), length);
            ctx.write(data, ctx.voidPromise());
            ByteBuf trailer = ctx.alloc().directBuffer(pad + Crc32cDigest.LENGTH);
            trailer.writeZero(pad).writeIntLE(digest);
            ctx.write(trailer, promise);
        } else if (pad > 0) {
            ctx.write(data, ctx.voidPromise());
            ctx.write(ZERO_PAD.duplicate().slice(0, pad), promise);
        } else {
            ctx.write(data, promise);
        }
    }
}
