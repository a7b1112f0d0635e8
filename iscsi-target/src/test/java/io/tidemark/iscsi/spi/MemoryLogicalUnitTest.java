package io.tidemark.iscsi.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MemoryLogicalUnitTest {

    private final MemoryLogicalUnit unit = new MemoryLogicalUnit(64);

    private static ByteBuffer filled(int blocks, int value) {
        byte[] b = new byte[blocks * 512];
        Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    private byte[] read(long lba, int blocks) {
        ByteBuffer b = ByteBuffer.allocate(blocks * 512);
        unit.read(lba, b).join();
        return b.array();
    }

    @Test
    void shouldReadZerosUntilWrittenAndTrackMappedChunks() {
        assertThat(read(0, 64)).containsOnly(0);
        unit.write(9, filled(2, 7), false).join();
        assertThat(read(9, 2)).containsOnly(7);
        assertThat(unit.lbaStatus(0)).isEqualTo(new LogicalUnit.LbaStatus(false, 8));
        assertThat(unit.lbaStatus(9)).isEqualTo(new LogicalUnit.LbaStatus(true, 7));
        assertThat(unit.lbaStatus(16)).isEqualTo(new LogicalUnit.LbaStatus(false, 48));
    }

    @Test
    void shouldZeroPartialChunksAndReleaseWholeOnesOnUnmap() {
        unit.write(0, filled(16, 1), false).join();
        unit.unmap(4, 12).join();
        assertThat(read(0, 4)).containsOnly(1);
        assertThat(read(4, 12)).containsOnly(0);
        assertThat(unit.allocatedChunks()).isEqualTo(1);
    }

    @Test
    void shouldCompareAndWriteAtomicallyReportingTheFirstDifference() {
        unit.write(3, filled(1, 5), false).join();
        ByteBuffer wrong = filled(1, 5);
        wrong.put(100, (byte) 6);
        assertThat(unit.compareAndWrite(3, wrong, filled(1, 9)).join()).isEqualTo(100);
        assertThat(read(3, 1)).containsOnly(5);
        assertThat(unit.compareAndWrite(3, filled(1, 5), filled(1, 9)).join()).isEqualTo(-1);
        assertThat(read(3, 1)).containsOnly(9);
    }

    @Test
    void shouldFailOutOfRangeAccessAndKeepReservationState() {
        assertThatThrownBy(() -> unit.write(64, filled(1, 1), false).join()).hasCauseInstanceOf(
                IllegalArgumentException.class);
        unit.reservationState().store(new byte[] {1, 2});
        assertThat(unit.reservationState().load()).containsExactly(1, 2);
    }
}
