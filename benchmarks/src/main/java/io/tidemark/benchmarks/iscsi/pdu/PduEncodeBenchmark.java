package io.tidemark.benchmarks.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.tidemark.iscsi.pdu.Bhs;
import io.tidemark.iscsi.pdu.DataInPdu;
import io.tidemark.iscsi.pdu.OutboundPdu;
import io.tidemark.iscsi.pdu.PduEncoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The send side of a read without a socket: a Data-In PDU with status (the answer to a READ
 * that fits one PDU) is built over the read buffer, without copying it, and written through
 * the real {@link PduEncoder} in a Netty pipeline; the buffers it emits are drained and
 * released as the transport would. Scores are PDUs per second. Not thread-safe (one channel
 * per thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PduEncodeBenchmark {

    @Param({"4096", "65536"})
    public int blockBytes;

    @Param({"false", "true"})
    public boolean digests;

    EmbeddedChannel channel;
    /** Stands for the block the store just read. */
    ByteBuf payload;
    int statSn;

    @Setup(Level.Trial)
    public void setUp() {
        PduEncoder encoder = new PduEncoder();
        encoder.enableDigests(digests, digests);
        channel = new EmbeddedChannel(encoder);
        payload = Unpooled.directBuffer(blockBytes);
        for (int i = 0; i < blockBytes; i++) {
            payload.writeByte(i * 31 + 7);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        payload.release();
    }

    /** Returns the bytes that would go to the socket. */
    @Benchmark
    public long encodeDataInWithStatus() {
        OutboundPdu pdu = DataInPdu.build(channel.alloc(), 0x1234, Bhs.FINAL_BIT | DataInPdu.STATUS_BIT, 0, 0, 0, 0,
                payload.retainedSlice());
        pdu.sequenceNumbers(statSn++, statSn, statSn + 128);
        channel.writeOutbound(pdu);
        long bytes = 0;
        for (Object out; (out = channel.readOutbound()) != null; ) {
            bytes += ((ByteBuf) out).readableBytes();
            ReferenceCountUtil.release(out);
        }
        return bytes;
    }
}
