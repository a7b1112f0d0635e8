package io.tidemark.replicator.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    /** Collects exceptions that reach the end of the pipeline. */
    static final class Errors extends ChannelInboundHandlerAdapter {
        final List<Throwable> seen = new ArrayList<>();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            seen.add(cause);
        }
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4096, FrameDescriptor.MAX_PAYLOAD})
    void framesRoundTripWithTheirTypeAndPayload(int size) {
        byte[] payload = random(size);
        EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(FrameDescriptor.MAX_PAYLOAD));

        assertThat(encoder.writeOutbound(new Frame(200, Unpooled.wrappedBuffer(payload)))).isTrue();
        ByteBuf wire = encoder.readOutbound();
        assertThat(wire.readableBytes()).isEqualTo(FrameDescriptor.HEADER_LENGTH + size);
        decoder.writeInbound(wire);

        Frame decoded = decoder.readInbound();
        assertThat(decoded.type).isEqualTo(200);
        assertThat(ByteBufUtil.getBytes(decoded.content())).isEqualTo(payload);
        decoded.release();
        assertThat(encoder.finish()).isFalse();
        assertThat(decoder.finish()).isFalse();
    }

    @Test
    void framesSplitAtEveryByteAreReassembled() {
        EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
        encoder.writeOutbound(new Frame(16, Unpooled.wrappedBuffer(random(10))), new Frame(17, Unpooled.buffer(0)));
        ByteBuf wire = Unpooled.buffer();
        for (ByteBuf part; (part = encoder.readOutbound()) != null; ) {
            wire.writeBytes(part);
            part.release();
        }
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(FrameDescriptor.MAX_PAYLOAD));

        while (wire.isReadable()) {
            decoder.writeInbound(wire.readRetainedSlice(1));
        }
        wire.release();

        Frame first = decoder.readInbound();
        Frame second = decoder.readInbound();
        assertThat(first.type).isEqualTo(16);
        assertThat(ByteBufUtil.getBytes(first.content())).isEqualTo(random(10));
        assertThat(second.type).isEqualTo(17);
        assertThat(second.content().readableBytes()).isZero();
        first.release();
        second.release();
        assertThat(decoder.finish()).isFalse();
    }

    @Test
    void aLengthAboveTheLimitIsReportedOnceAndEverythingAfterItDiscarded() {
        Errors errors = new Errors();
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(FrameDescriptor.MAX_PAYLOAD), errors);
        ByteBuf bad = Unpooled.buffer();
        bad.writeInt(FrameDescriptor.MAX_PAYLOAD + 1).writeByte(16).writeBytes(random(100));

        decoder.writeInbound(bad);
        ByteBuf valid = Unpooled.buffer().writeInt(1).writeByte(16).writeByte(7);
        decoder.writeInbound(valid);

        assertThat(errors.seen).singleElement().isInstanceOf(FrameException.class)
                .extracting(Throwable::getMessage).asString()
                .contains(String.valueOf(FrameDescriptor.MAX_PAYLOAD + 1L)).contains("expected: 0.." + FrameDescriptor.MAX_PAYLOAD);
        assertThat((Object) decoder.readInbound()).isNull();
        assertThat(decoder.finish()).isFalse();
    }

    @Test
    void aLengthOfFourGibibytesIsRejectedNotWrapped() {
        Errors errors = new Errors();
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(FrameDescriptor.MAX_PAYLOAD), errors);

        decoder.writeInbound(Unpooled.buffer().writeInt(0xFFFFFFFF).writeByte(16));

        assertThat(errors.seen).singleElement().extracting(Throwable::getMessage).asString().contains("4294967295");
        assertThat(decoder.finish()).isFalse();
    }

    @Test
    void theSmallerLimitBeforeASessionOpensCanBeRaised() {
        Errors errors = new Errors();
        FrameDecoder frames = new FrameDecoder(LinkFrameType.MAX_LINK_PAYLOAD);
        EmbeddedChannel decoder = new EmbeddedChannel(frames, errors);
        frames.maxPayload(FrameDescriptor.MAX_PAYLOAD);

        decoder.writeInbound(Unpooled.buffer().writeInt(LinkFrameType.MAX_LINK_PAYLOAD + 1).writeByte(16)
                .writeZero(LinkFrameType.MAX_LINK_PAYLOAD + 1));

        Frame frame = decoder.readInbound();
        assertThat(frame.content().readableBytes()).isEqualTo(LinkFrameType.MAX_LINK_PAYLOAD + 1);
        frame.release();
        assertThat(errors.seen).isEmpty();
        assertThat(decoder.finish()).isFalse();
    }
}
