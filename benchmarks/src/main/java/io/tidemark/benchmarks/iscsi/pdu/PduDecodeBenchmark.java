package io.tidemark.benchmarks.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tidemark.iscsi.pdu.Pdu;
import io.tidemark.iscsi.pdu.PduDecoder;
import io.tidemark.iscsi.pdu.ScsiCommandPdu;
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
 * The receive side of the protocol without a socket: a whole SCSI Command PDU (WRITE(10) with
 * immediate data) goes through the real {@link PduDecoder} in a Netty pipeline, and the CDB
 * and transfer length are read as the session would. With digests on, CRC32C over header and
 * data is part of the cost. Scores are PDUs per second. Not thread-safe (one channel per thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PduDecodeBenchmark {

    /** What we advertise as MaxRecvDataSegmentLength in the benchmark: any data size fits. */
    static final int MAX_RECV_DATA_SEGMENT = 1 << 20;

    @Param({"4096", "65536"})
    public int blockBytes;

    @Param({"false", "true"})
    public boolean digests;

    EmbeddedChannel channel;
    ByteBuf wire;

    @Setup(Level.Trial)
    public void setUp() {
        PduDecoder decoder = new PduDecoder(MAX_RECV_DATA_SEGMENT);
        decoder.enableDigests(digests, digests);
        decoder.loginPhase(false);   // a logged-in session: SCSI Commands are expected
        channel = new EmbeddedChannel(decoder);
        wire = WirePdus.writeCommandWithImmediateData(0x1234, 1, 2048, blockBytes, digests);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        wire.release();
    }

    /** Returns the sum of the fields read so the JIT cannot drop the work. */
    @Benchmark
    public long decodeWriteCommand() {
        channel.writeInbound(wire.retainedDuplicate());
        Object decoded = channel.readInbound();
        if (!(decoded instanceof Pdu pdu)) {
            throw new IllegalStateException("expected a Pdu, the decoder produced " + decoded);
        }
        try {
            if (pdu.defect() != Pdu.Defect.NONE) {
                throw new IllegalStateException("decoded " + pdu + " with defect " + pdu.defect());
            }
            byte[] cdb = ScsiCommandPdu.cdb(pdu.bhs(), pdu.ahs());
            return ScsiCommandPdu.edtl(pdu.bhs()) + cdb[0] + pdu.data().readableBytes();
        } finally {
            pdu.release();
        }
    }
}
