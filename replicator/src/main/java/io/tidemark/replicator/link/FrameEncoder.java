package io.tidemark.replicator.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** Prefixes each {@link Frame} with its header; the payload is not copied. Stateless and shareable. */
@ChannelHandler.Sharable
final class FrameEncoder extends MessageToMessageEncoder<Frame> {

    static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        ByteBuf payload = frame.content();
        FrameDescriptor.checkPayloadLength(payload.readableBytes());
        ByteBuf header = ctx.alloc().buffer(FrameDescriptor.HEADER_LENGTH);
        header.writeInt(payload.readableBytes());
        header.writeByte(frame.type);
        CompositeByteBuf both = ctx.alloc().compositeBuffer(2);
        // the encoder releases the frame after encode, so the composite takes its own reference
        both.addComponents(true, header, payload.retain());
        out.add(both);
    }
}
