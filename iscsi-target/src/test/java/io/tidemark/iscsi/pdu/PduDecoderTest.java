package io.tidemark.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tidemark.iscsi.client.IscsiTestClient;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PduDecoderTest {

    private static byte[] bhs(int opcode, int dataLength) {
        byte[] b = new byte[48];
        b[0] = (byte) opcode;
        b[1] = (byte) 0x80;
        b[5] = (byte) (dataLength >>> 16);
        b[6] = (byte) (dataLength >>> 8);
        b[7] = (byte) dataLength;
        IscsiTestClient.putInt(b, 16, 0x1234);
        return b;
    }

    /** A PDU on the wire: BHS, optional header digest, data padded, optional data digest. */
    private static byte[] wire(int opcode, byte[] data, boolean headerDigest, boolean dataDigest) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bhs = bhs(opcode, data.length);
        out.write(bhs);
        if (headerDigest) {
            out.write(IscsiTestClient.crcBytes(bhs, 0, 48, 0));
        }
        if (data.length > 0) {
            out.write(data);
            int pad = -data.length & 3;
            out.write(new byte[pad]);
            if (dataDigest) {
                out.write(IscsiTestClient.crcBytes(data, 0, data.length, pad));
            }
        }
        return out.toByteArray();
    }

    private static EmbeddedChannel channel(boolean headerDigest, boolean dataDigest) {
        PduDecoder decoder = new PduDecoder(8192);
        decoder.loginPhase(false);
        decoder.enableDigests(headerDigest, dataDigest);
        return new EmbeddedChannel(decoder);
    }

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    @ParameterizedTest(name = "data {0} bytes")
    @ValueSource(ints = {0, 1, 3, 4, 5, 511, 8192})
    void shouldDecodePdusFedOneByteAtATime(int length) throws Exception {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 7);
        }
        byte[] one = wire(0x00, data, true, true);
        EmbeddedChannel ch = channel(true, true);
        List<ByteBuf> fed = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (byte b : one) {
                ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {b});
                fed.add(buf);
                ch.writeInbound(buf);
            }
        }
        List<Object> out = drain(ch);
        assertThat(out).hasSize(2);
        for (Object o : out) {
            Pdu p = (Pdu) o;
            assertThat(p.defect()).isEqualTo(Pdu.Defect.NONE);
            assertThat(p.itt()).isEqualTo(0x1234);
            byte[] got = new byte[p.data().readableBytes()];
            p.data().getBytes(p.data().readerIndex(), got);
            assertThat(got).isEqualTo(data);
            p.release();
        }
        assertThat(ch.finish()).isFalse();
        assertThat(fed).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void shouldDecodeSeveralPdusFromOneBuffer() throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < 5; i++) {
            all.write(wire(0x01, new byte[i * 3], false, false));
        }
        EmbeddedChannel ch = channel(false, false);
        ByteBuf in = Unpooled.wrappedBuffer(all.toByteArray());
        ch.writeInbound(in);
        List<Object> out = drain(ch);
        assertThat(out).hasSize(5);
        out.forEach(o -> ((Pdu) o).release());
        assertThat(ch.finish()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void shouldCheckTheHeaderDigestOverBhsAndAhs() throws Exception {
        byte[] header = new byte[48 + 8];
        System.arraycopy(bhs(0x01, 0), 0, header, 0, 48);
        header[4] = 2;
        header[48 + 1] = 5;
        header[48 + 2] = 0x01;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header);
        out.write(IscsiTestClient.crcBytes(header, 0, header.length, 0));
        EmbeddedChannel ch = channel(true, false);
        ch.writeInbound(Unpooled.wrappedBuffer(out.toByteArray()));
        List<Object> decoded = drain(ch);
        assertThat(decoded).singleElement().isInstanceOf(Pdu.class);
        Pdu p = (Pdu) decoded.get(0);
        assertThat(p.ahs().readableBytes()).isEqualTo(8);
        assertThat(ScsiCommandPdu.cdb(p.bhs(), p.ahs())).hasSize(20);
        p.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldMarkADataDigestMismatchAndKeepFraming() throws Exception {
        byte[] bad = wire(0x05, new byte[100], false, true);
        bad[bad.length - 1] ^= 1;
        byte[] good = wire(0x00, new byte[8], false, true);
        EmbeddedChannel ch = channel(false, true);
        ch.writeInbound(Unpooled.wrappedBuffer(bad, good));
        List<Object> out = drain(ch);
        assertThat(out).hasSize(2);
        assertThat(((Pdu) out.get(0)).defect()).isEqualTo(Pdu.Defect.DATA_DIGEST);
        assertThat(((Pdu) out.get(1)).defect()).isEqualTo(Pdu.Defect.NONE);
        out.forEach(o -> ((Pdu) o).release());
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldSkipAnOversizedDataSegmentAndReportIt() throws Exception {
        byte[] big = wire(0x00, new byte[10000], false, false);
        byte[] next = wire(0x00, new byte[4], false, false);
        EmbeddedChannel ch = channel(false, false);
        ch.writeInbound(Unpooled.wrappedBuffer(big, next));
        List<Object> out = drain(ch);
        assertThat(out).hasSize(2);
        Pdu first = (Pdu) out.get(0);
        assertThat(first.defect()).isEqualTo(Pdu.Defect.DATA_TOO_LONG);
        assertThat(first.data().readableBytes()).isZero();
        out.forEach(o -> ((Pdu) o).release());
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldLoseFramingOnceOnAHeaderDigestMismatchAndDiscardTheRest() throws Exception {
        byte[] bad = wire(0x00, new byte[4], true, false);
        bad[48] ^= 1;
        EmbeddedChannel ch = channel(true, false);
        ByteBuf in = Unpooled.wrappedBuffer(bad, wire(0x00, new byte[4], true, false), new byte[77]);
        ch.writeInbound(in);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[200]));
        List<Object> out = drain(ch);
        assertThat(out).singleElement().isInstanceOf(FramingLost.class);
        assertThat(((FramingLost) out.get(0)).reason()).contains("header digest");
        assertThat(ch.finish()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void shouldReportAConnectionClosedInsideAPdu() throws Exception {
        byte[] pdu = wire(0x00, new byte[40], false, false);
        EmbeddedChannel ch = channel(false, false);
        ch.writeInbound(Unpooled.wrappedBuffer(pdu, 0, 60));
        assertThat(drain(ch)).isEmpty();
        ch.finish();
        List<Object> out = drain(ch);
        assertThat(out).singleElement().isInstanceOf(FramingLost.class);
    }

    @Test
    void shouldAcceptOnlyLoginRequestsDuringLogin() throws Exception {
        PduDecoder decoder = new PduDecoder(8192);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.wrappedBuffer(wire(0x43, new byte[12], false, false)));
        ch.writeInbound(Unpooled.wrappedBuffer("GET / HTTP/1.1\r\nHost: example\r\n\r\n0123456789abcdef".getBytes()));
        List<Object> out = drain(ch);
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOf(Pdu.class);
        assertThat(out.get(1)).isInstanceOf(FramingLost.class);
        ((Pdu) out.get(0)).release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldDigestThirtyTwoZeroBytesAsTheRfcExample() {
        // RFC 3720 appendix B.4: 32 bytes of zeros -> aa 36 91 8a on the wire
        ByteBuf zeros = Unpooled.wrappedBuffer(new byte[32]);
        int digest = new Crc32cDigest().digest(zeros, 0, 32);
        ByteBuf wire = Unpooled.buffer(4).writeIntLE(digest);
        assertThat(new byte[] {wire.getByte(0), wire.getByte(1), wire.getByte(2), wire.getByte(3)})
                .containsExactly(0xaa, 0x36, 0x91, 0x8a);
    }

    @Test
    void shouldDecodeTheLunFieldInPeripheralAndFlatAddressing() {
        assertThat(LunField.decode(0)).isZero();
        assertThat(LunField.decode(0x0005_0000_0000_0000L)).isEqualTo(5);
        assertThat(LunField.decode(0x4101_0000_0000_0000L)).isEqualTo(257);
        assertThat(LunField.decode(0x0105_0000_0000_0000L)).as("bus 1").isEqualTo(LunField.UNSUPPORTED);
        assertThat(LunField.decode(0x8000_0000_0000_0000L)).isEqualTo(LunField.UNSUPPORTED);
        assertThat(LunField.decode(LunField.encode(300))).isEqualTo(300);
        assertThat(LunField.decode(LunField.encode(7))).isEqualTo(7);
    }
}
