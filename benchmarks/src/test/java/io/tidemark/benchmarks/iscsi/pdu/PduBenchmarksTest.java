package io.tidemark.benchmarks.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.tidemark.iscsi.pdu.Bhs;
import io.tidemark.iscsi.pdu.Pdu;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The PDU benchmarks measure what they claim: whole, valid PDUs, and nothing leaks. */
class PduBenchmarksTest {

    @ParameterizedTest(name = "{0} bytes, digests {1}")
    @CsvSource({"512, false", "4096, false", "4096, true", "65536, false", "65536, true"})
    void decodeBenchmarkYieldsOneWholeWriteCommandPerCallAndLeaksNothing(int blockBytes, boolean digests) {
        PduDecodeBenchmark bench = new PduDecodeBenchmark();
        bench.blockBytes = blockBytes;
        bench.digests = digests;
        bench.setUp();
        ByteBuf wire = bench.wire;
        int pduBytes = Bhs.LENGTH + blockBytes + (digests ? 8 : 0);
        assertThat(wire.readableBytes()).isEqualTo(pduBytes);

        for (int i = 0; i < 3; i++) {
            // EDTL + WRITE(10) opcode + data segment length
            assertThat(bench.decodeWriteCommand()).isEqualTo(blockBytes + WirePdus.WRITE_10 + blockBytes);
            assertThat((Object) bench.channel.readInbound()).as("nothing but the one PDU").isNull();
        }
        assertThat(wire.refCnt()).isEqualTo(1);
        bench.tearDown();
        assertThat(wire.refCnt()).isZero();
    }

    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({"4096", "65536"})
    void withDigestsOnTheDecoderReallyChecksTheDataDigestItIsTimedOn(int blockBytes) {
        PduDecodeBenchmark bench = new PduDecodeBenchmark();
        bench.blockBytes = blockBytes;
        bench.digests = true;
        bench.setUp();
        ByteBuf corrupted = WirePdus.writeCommandWithImmediateData(0x1234, 1, 2048, blockBytes, true).copy();
        try {
            int lastByte = corrupted.writerIndex() - 1;
            corrupted.setByte(lastByte, corrupted.getByte(lastByte) ^ 0x01);
            bench.channel.writeInbound(corrupted.retain());
            Pdu pdu = bench.channel.readInbound();
            assertThat(pdu.defect()).isEqualTo(Pdu.Defect.DATA_DIGEST);
            pdu.release();
        } finally {
            corrupted.release();
            bench.tearDown();
        }
    }

    @ParameterizedTest(name = "{0} bytes, digests {1}")
    @CsvSource({"512, false", "4096, false", "4096, true", "65536, false", "65536, true"})
    void encodeBenchmarkEmitsBhsDataAndDigestsAndReleasesThePayloadSlice(int blockBytes, boolean digests) {
        PduEncodeBenchmark bench = new PduEncodeBenchmark();
        bench.blockBytes = blockBytes;
        bench.digests = digests;
        bench.setUp();
        ByteBuf payload = bench.payload;

        for (int i = 0; i < 3; i++) {
            assertThat(bench.encodeDataInWithStatus()).isEqualTo(Bhs.LENGTH + blockBytes + (digests ? 8 : 0));
            assertThat(payload.refCnt()).as("each PDU's slice released after the write").isEqualTo(1);
        }
        bench.tearDown();
        assertThat(payload.refCnt()).isZero();
    }
}
