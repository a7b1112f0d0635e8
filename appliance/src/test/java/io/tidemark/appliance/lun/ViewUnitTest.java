package io.tidemark.appliance.lun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.scsi.CheckCondition;
import io.tidemark.iscsi.scsi.ItNexus;
import io.tidemark.iscsi.scsi.ScsiCommand;
import io.tidemark.iscsi.scsi.ScsiResponse;
import io.tidemark.iscsi.scsi.ScsiTargetDevice;
import io.tidemark.iscsi.scsi.SenseData;
import io.tidemark.iscsi.scsi.TaskAttribute;
import io.tidemark.iscsi.spi.DurableState;
import io.tidemark.iscsi.spi.LogicalUnit.LbaStatus;
import io.tidemark.iscsi.spi.LunDescriptor;
import io.tidemark.replicator.dr.PitView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ViewUnitTest {

    private static final int BLOCK = 512;
    private static final long SEQUENCE = 4242;

    private final FakeView view = new FakeView(Map.of(1, volume(64, 'a'), 2, volume(32, 'b')));
    private final DurableState reservations = ViewUnit.inMemoryReservations();
    private final ViewUnit unit = new ViewUnit(view, 1, reservations);

    private static byte[] volume(int blocks, char fill) {
        byte[] data = new byte[blocks * BLOCK];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (fill + i / BLOCK % 16);
        }
        return data;
    }

    @Test
    void shouldTakeBlockSizeCountAndSequenceFromTheViewAndSayItIsReadOnly() {
        assertThat(unit.blockSize()).isEqualTo(BLOCK);
        assertThat(unit.blockCount()).isEqualTo(64);
        assertThat(new ViewUnit(view, 2, reservations).blockCount()).isEqualTo(32);
        assertThat(unit.sequence()).isEqualTo(SEQUENCE);
        assertThat(unit.readOnly()).isTrue();
        assertThat(unit.reservationState()).isSameAs(reservations);
    }

    @Test
    void shouldRefuseAVolumeTheViewDoesNotHave() {
        assertThatThrownBy(() -> new ViewUnit(view, 3, reservations))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3");
    }

    @Test
    void shouldReadItsOwnVolumeThroughTheView() throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(4 * BLOCK);
        unit.read(10, dst).get(5, TimeUnit.SECONDS);
        assertThat(dst.array()).isEqualTo(Arrays.copyOfRange(view.volumes.get(1), 10 * BLOCK, 14 * BLOCK));
        ByteBuffer other = ByteBuffer.allocate(BLOCK);
        new ViewUnit(view, 2, reservations).read(10, other).get(5, TimeUnit.SECONDS);
        assertThat(other.array()).isEqualTo(Arrays.copyOfRange(view.volumes.get(2), 10 * BLOCK, 11 * BLOCK));
        assertThat(view.reads.get()).isEqualTo(2);
    }

    @Test
    void shouldFailEveryChangeFastWithWriteProtectedWithoutReachingTheView() {
        ByteBuffer block = ByteBuffer.allocate(BLOCK);
        assertWriteProtected(() -> unit.write(0, block.duplicate(), false));
        assertWriteProtected(() -> unit.write(0, block.duplicate(), true));
        assertWriteProtected(() -> unit.unmap(0, 8));
        assertWriteProtected(() -> unit.writeSame(0, 8, block.duplicate(), true));
        assertWriteProtected(() -> unit.compareAndWrite(0, block.duplicate(), block.duplicate()));
        assertThat(view.reads.get()).as("calls that reached the view").isZero();
    }

    @Test
    void shouldFlushWithNothingToDo() throws Exception {
        unit.flush().get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldReportEveryBlockMappedToTheEnd() {
        assertThat(unit.lbaStatus(0)).isEqualTo(new LbaStatus(true, 64));
        assertThat(unit.lbaStatus(63)).isEqualTo(new LbaStatus(true, 1));
        assertThatThrownBy(() -> unit.lbaStatus(64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64");
    }

    @Test
    void shouldReturnTheViewsReadFailureAsAFailedFuture() {
        view.failure = new IOException("sealed record 17 failed its tag");
        CompletableFuture<Void> read = unit.read(0, ByteBuffer.allocate(BLOCK));
        assertThatThrownBy(() -> read.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
    }

    @Test
    void shouldStopReadingOnceClosedWithoutClosingTheSharedView() {
        unit.close();
        CompletableFuture<Void> read = unit.read(0, ByteBuffer.allocate(BLOCK));
        assertThatThrownBy(() -> read.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(view.closed).isFalse();
    }

    @Test
    void shouldKeepReservationsInMemory() {
        assertThat(reservations.load()).isEmpty();
        byte[] state = {1, 2, 3};
        reservations.store(state);
        state[0] = 9;
        assertThat(reservations.load()).containsExactly(1, 2, 3);
    }

    @Test
    void shouldServeTheViewAsAWriteProtectedLunThroughTheScsiLayer() throws Exception {
        TargetRegistry registry = new TargetRegistry();
        String iqn = "iqn.2026-11.io.tidemark:g1-pit-1";
        TargetNode node = registry.add(new TargetNode(iqn, "g1-pit-1", null, Set.of()));
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        node.addLun(new LunDescriptor(0, "vol-a", naa, true, unit));
        ScsiTargetDevice device = new ScsiTargetDevice(node, registry);
        ItNexus nexus = new ItNexus("iqn.1994-05.com.redhat:host", new byte[] {0x40, 0, 0, 0, 0, 1}, iqn, 1);
        device.nexusCreated(nexus);

        byte[] read10 = {0x28, 0, 0, 0, 0, 5, 0, 0, 2, 0};
        ScsiResponse read = run(device, nexus, read10, 2 * BLOCK, new byte[0]);
        assertThat(read.status()).isEqualTo(ScsiResponse.GOOD);
        byte[] got = new byte[read.dataIn().remaining()];
        read.dataIn().duplicate().get(got);
        assertThat(got).isEqualTo(Arrays.copyOfRange(view.volumes.get(1), 5 * BLOCK, 7 * BLOCK));

        byte[] write10 = {0x2A, 0, 0, 0, 0, 5, 0, 0, 1, 0};
        ScsiResponse write = run(device, nexus, write10, BLOCK, new byte[BLOCK]);
        assertThat(write.status()).isEqualTo(ScsiResponse.CHECK_CONDITION);
        assertThat(senseText(write.sense())).isEqualTo("7/27/00");

        byte[] modeSense = {0x1A, 0, 0x3F, 0, (byte) 255, 0};
        byte[] header = new byte[4];
        run(device, nexus, modeSense, 255, new byte[0]).dataIn().duplicate().get(header);
        assertThat(header[2] & 0x80).as("WP").isEqualTo(0x80);

        byte[] register = new byte[24];
        register[15] = 7;
        byte[] proutRegister = {0x5F, 0, 0, 0, 0, 0, 0, 0, 24, 0};
        assertThat(run(device, nexus, proutRegister, 24, register).status()).isEqualTo(ScsiResponse.GOOD);
        assertThat(reservations.load()).isNotEmpty();
        assertThat(run(device, nexus, new byte[] {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, new byte[0]).status())
                .isEqualTo(ScsiResponse.GOOD);
        assertThat(view.reads.get()).as("only READ reached the view").isEqualTo(1);
    }

    private static ScsiResponse run(ScsiTargetDevice device, ItNexus nexus, byte[] cdb, int edtl, byte[] dataOut)
            throws Exception {
        ScsiCommand command = new ScsiCommand(nexus, 1, 0, cdb, TaskAttribute.SIMPLE, edtl, ByteBuffer.wrap(dataOut));
        ScsiResponse first = device.execute(command).get(5, TimeUnit.SECONDS);
        // the first command of a new nexus reports the power-on unit attention, if any
        return first.status() == ScsiResponse.CHECK_CONDITION && SenseData.key(first.sense()) == 0x6
                ? device.execute(command).get(5, TimeUnit.SECONDS) : first;
    }

    private static String senseText(byte[] sense) {
        return String.format("%x/%02x/%02x", SenseData.key(sense), SenseData.asc(sense), SenseData.ascq(sense));
    }

    private static void assertWriteProtected(Supplier<CompletableFuture<?>> call) {
        CompletableFuture<?> result = call.get();
        assertThat(result).isCompletedExceptionally();
        assertThatThrownBy(result::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(CheckCondition.class,
                        cc -> assertThat(senseText(cc.sense())).isEqualTo("7/27/00"));
    }

    /** A view over byte arrays, counting reads. */
    private static final class FakeView implements PitView {
        final Map<Integer, byte[]> volumes;
        final AtomicInteger reads = new AtomicInteger();
        volatile IOException failure;
        volatile boolean closed;

        FakeView(Map<Integer, byte[]> volumes) {
            this.volumes = volumes;
        }

        @Override
        public long sequence() {
            return SEQUENCE;
        }

        @Override
        public Instant time() {
            return Instant.parse("2026-11-22T03:00:00Z");
        }

        @Override
        public int blockSize() {
            return BLOCK;
        }

        @Override
        public long blockCount(int volumeId) {
            return volume(volumeId).length / BLOCK;
        }

        @Override
        public void read(int volumeId, long lba, ByteBuffer dst) throws IOException {
            reads.incrementAndGet();
            if (failure != null) {
                throw failure;
            }
            dst.put(volume(volumeId), (int) (lba * BLOCK), dst.remaining());
        }

        private byte[] volume(int volumeId) {
            byte[] v = volumes.get(volumeId);
            if (v == null) {
                throw new IllegalArgumentException("volume " + volumeId + ": not in the view");
            }
            return v;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
