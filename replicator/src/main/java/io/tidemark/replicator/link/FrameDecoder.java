package io.tidemark.replicator.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the decrypted stream into {@link Frame}s. A length above the current limit is reported
 * once (as a {@link FrameException}) and everything after it is discarded: the link closes.
 * Not thread-safe: one per channel, used on its event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private enum State { HEADER, PAYLOAD, DISCARD }

    private State state = State.HEADER;
    private int type;
    private int length;
    private int maxPayload;

    FrameDecoder(int maxPayload) {
        this.maxPayload = maxPayload;
    }

    /** Raises or lowers the payload limit (a listener allows only small link frames until a session is open). */
    void maxPayload(int maxPayload) {
        this.maxPayload = maxPayload;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            switch (state) {
                case HEADER -> {
                    if (in.readableBytes() < FrameDescriptor.HEADER_LENGTH) {
                        return;
                    }
                    long len = in.getUnsignedInt(in.readerIndex() + FrameDescriptor.LENGTH_OFFSET);
                    int frameType = in.getUnsignedByte(in.readerIndex() + FrameDescriptor.TYPE_OFFSET);
                    if (len > maxPayload) {
                        state = State.DISCARD;
                        in.skipBytes(in.readableBytes());
                        ctx.fireExceptionCaught(new FrameException("frame length " + len + " of type " + frameType
                                + " (expected: 0.." + maxPayload + ")"));
                        return;
                    }
                    in.skipBytes(FrameDescriptor.HEADER_LENGTH);
                    type = frameType;
                    length = (int) len;
                    state = State.PAYLOAD;
                }
                case PAYLOAD -> {
                    if (in.readableBytes() < length) {
                        return;
                    }
                    out.add(new Frame(type, in.readRetainedSlice(length)));
                    state = State.HEADER;
                }
                case DISCARD -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
    }
}
