package io.tidemark.replicator.ship;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tidemark.journal.RecordType;
import io.tidemark.replicator.link.FrameHandler;
import io.tidemark.replicator.link.LinkSession;
import io.tidemark.replicator.seal.Compression;
import io.tidemark.replicator.seal.DataKey;
import io.tidemark.replicator.seal.Metadata;
import io.tidemark.replicator.seal.RecordSealer;
import io.tidemark.replicator.seal.SealedRecord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplicaReceiverTest {

    private static final GroupDescriptor DESC = new GroupDescriptor("g", 5, 3,
            List.of(new VolumeDescriptor(1, "v1", 1024 * 1024, 512)));

    private final DataKey key = DataKey.generate();
    private final RecordSealer sealer = new RecordSealer(key, Compression.ZSTD);
    private final FakeSink sink = new FakeSink(DESC, key);
    private final ReplicaReceiver receiver = new ReplicaReceiver((peer, d, k) -> sink, new SimpleMeterRegistry());
    private final MemoryLink link = new MemoryLink(receiver);
    private final Client client = new Client();
    private LinkSession session;

    @AfterEach
    void close() {
        receiver.close();
        link.close();
    }

    @Test
    void shouldAnswerProtectWithWhereTheReplicaStands() throws Exception {
        ResumeMessage resume = protect();

        assertThat(resume).isEqualTo(new ResumeMessage("g", 0, 0, false));
    }

    @Test
    void shouldAppendSyncAndAcknowledgeEachBatchInOrder() throws Exception {
        protect();
        send(syncStart(7), write(8, 3), write(9, 3));
        assertThat(client.nextAck()).isEqualTo(9);
        send(write(10, 3));
        assertThat(client.nextAck()).isEqualTo(10);

        assertThat(sink.sequences()).containsExactly(7L, 8L, 9L, 10L);
    }

    @Test
    void shouldRefuseAGapKeepWhatCameBeforeAndCloseTheLink() throws Exception {
        protect();
        send(syncStart(1), write(2, 3), write(4, 3), write(5, 3));

        assertThat(client.nextAck()).isEqualTo(2);
        ErrorMessage error = client.nextError();
        assertThat(error.group()).isEqualTo("g");
        assertThat(error.sequence()).isEqualTo(4);
        assertThat(error.reason()).contains("seq 4 out of order (expected: 3)");
        assertThat(client.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.sequences()).containsExactly(1L, 2L);
    }

    @Test
    void shouldRefuseADuplicate() throws Exception {
        protect();
        send(syncStart(1), write(2, 3));
        assertThat(client.nextAck()).isEqualTo(2);
        send(write(2, 3));

        assertThat(client.nextError().reason()).contains("duplicate seq 2 (expected: 3)");
        assertThat(sink.sequences()).containsExactly(1L, 2L);
    }

    @Test
    void shouldRefuseARecordFromAnEpochNewerThanTheProtectingPrimary() throws Exception {
        protect();
        send(syncStart(1), write(2, 4));

        assertThat(client.nextError().reason()).contains("record epoch 4 (expected: 3..3)");
        assertThat(sink.sequences()).containsExactly(1L);
    }

    @Test
    void shouldRefuseATamperedRecordAndNothingAfterIt() throws Exception {
        protect();
        ByteBuf batch = batch(syncStart(1), write(2, 3), write(3, 3));
        int second = syncStart(1).length();
        batch.setByte(second + 80, batch.getByte(second + 80) ^ 1);
        session.send(ReplicationFrames.BATCH, batch);

        assertThat(client.nextAck()).isEqualTo(1);
        ErrorMessage error = client.nextError();
        assertThat(error.sequence()).isEqualTo(2);
        assertThat(error.reason()).contains("tampered");
        assertThat(sink.sequences()).containsExactly(1L);
    }

    @Test
    void shouldAssembleABatchSplitOverSeveralFrames() throws Exception {
        protect();
        ByteBuf whole = batch(syncStart(1), write(2, 3), write(3, 3));
        session.send(ReplicationFrames.BATCH_MORE, whole.readRetainedSlice(100));
        session.send(ReplicationFrames.BATCH_MORE, whole.readRetainedSlice(150));
        session.send(ReplicationFrames.BATCH, whole);

        assertThat(client.nextAck()).isEqualTo(3);
        assertThat(sink.sequences()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void shouldEndAnOlderSessionOfTheSameGroupBeforeServingANewOne() throws Exception {
        protect();
        send(syncStart(1), write(2, 3));
        assertThat(client.nextAck()).isEqualTo(2);

        Client second = new Client();
        LinkSession other = link.connect(MemoryLink.DR, second).get(5, TimeUnit.SECONDS);
        other.send(ReplicationFrames.PROTECT, ReplicationFrames.json(ProtectMessage.of(DESC, key.bytes(), "async")));

        assertThat(second.resume.poll(10, TimeUnit.SECONDS)).isEqualTo(new ResumeMessage("g", 3, 2, false));
        assertThat(client.closed.await(10, TimeUnit.SECONDS)).as("the older session closed").isTrue();
        other.send(ReplicationFrames.BATCH, batch(write(3, 3)));
        assertThat(second.nextAck()).isEqualTo(3);
        assertThat(sink.sequences()).containsExactly(1L, 2L, 3L);
    }

    private ResumeMessage protect() throws Exception {
        session = link.connect(MemoryLink.DR, client).get(5, TimeUnit.SECONDS);
        session.send(ReplicationFrames.PROTECT, ReplicationFrames.json(ProtectMessage.of(DESC, key.bytes(), "async")));
        return client.resume.poll(10, TimeUnit.SECONDS);
    }

    private void send(SealedRecord... records) {
        session.send(ReplicationFrames.BATCH, batch(records));
    }

    private static ByteBuf batch(SealedRecord... records) {
        ByteBuf b = Unpooled.buffer();
        for (SealedRecord r : records) {
            b.writeBytes(r.bytes());
        }
        return b;
    }

    private SealedRecord syncStart(long seq) {
        return sealer.seal(RecordType.METADATA, 0, 5, 0, 3, seq, 1, 0, 0,
                ByteBuffer.wrap(Metadata.syncStart(DESC.totalBytes()).toBytes()));
    }

    private SealedRecord write(long seq, long epoch) {
        byte[] data = new byte[512];
        data[0] = (byte) seq;
        return sealer.seal(RecordType.WRITE, 0, 5, 1, epoch, seq, 2, seq, 1, ByteBuffer.wrap(data));
    }

    /** The primary's end: collects RESUME, ACK and ERROR frames. */
    private static final class Client implements FrameHandler {
        final BlockingQueue<ResumeMessage> resume = new LinkedBlockingQueue<>();
        final BlockingQueue<Long> acks = new LinkedBlockingQueue<>();
        final BlockingQueue<ErrorMessage> errors = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void onFrame(LinkSession s, int type, ByteBuf payload) {
            try {
                switch (type) {
                    case ReplicationFrames.RESUME -> resume.add(ReplicationFrames.parse(payload, ResumeMessage.class));
                    case ReplicationFrames.ACK -> acks.add(ReplicationFrames.ackDurable(payload, 5));
                    case ReplicationFrames.ERROR -> errors.add(ReplicationFrames.parse(payload, ErrorMessage.class));
                    default -> throw new AssertionError("unexpected frame " + type);
                }
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void onClose(LinkSession s, Throwable cause) {
            closed.countDown();
        }

        long nextAck() throws InterruptedException {
            Long a = acks.poll(10, TimeUnit.SECONDS);
            assertThat(a).as("an ACK").isNotNull();
            return a;
        }

        ErrorMessage nextError() throws InterruptedException {
            ErrorMessage e = errors.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("an ERROR").isNotNull();
            return e;
        }
    }
}
