package io.tidemark.replicator.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/** One decoded or to-be-encoded frame: its type and its payload (reference counted). Not thread-safe. */
final class Frame extends DefaultByteBufHolder {

    final int type;

    Frame(int type, ByteBuf payload) {
        super(payload);
        this.type = type;
    }

    @Override
    public String toString() {
        return "Frame[type=" + type + ", " + content().readableBytes() + " bytes]";
    }
}
