package io.tidemark.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AlignedBuffersTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 511, 512, 4095, 4096, 4097, 65536, 1 << 20})
    void allocatesExactCapacityOnA4096ByteBoundary(int capacity) {
        ByteBuffer buffer = AlignedBuffers.allocate(capacity);

        assertThat(buffer.isDirect()).isTrue();
        assertThat(buffer.capacity()).isEqualTo(capacity);
        assertThat(buffer.position()).isZero();
        assertThat(buffer.limit()).isEqualTo(capacity);
        assertThat(AlignedBuffers.address(buffer) % 4096).isZero();
    }

    @ParameterizedTest
    @CsvSource({"8, 8", "100, 512", "5000, 8192", "1, 65536"})
    void honoursOtherPowerOfTwoAlignments(int capacity, int alignment) {
        ByteBuffer buffer = AlignedBuffers.allocate(capacity, alignment);

        assertThat(buffer.capacity()).isEqualTo(capacity);
        assertThat(AlignedBuffers.address(buffer) % alignment).isZero();
        assertThat(AlignedBuffers.isAligned(buffer, alignment)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -4096, 3, 4095})
    void rejectsAlignmentThatIsNotAPowerOfTwo(int alignment) {
        assertThatThrownBy(() -> AlignedBuffers.allocate(512, alignment))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alignment: " + alignment);
    }

    @Test
    void rejectsNegativeCapacity() {
        assertThatThrownBy(() -> AlignedBuffers.allocate(-1))
                .hasMessageContaining("capacity: -1");
    }

    @Test
    void isAlignedLooksAtThePositionNotTheStart() {
        ByteBuffer buffer = AlignedBuffers.allocate(8192);

        assertThat(AlignedBuffers.isAligned(buffer.position(1), 4096)).isFalse();
        assertThat(AlignedBuffers.isAligned(buffer.position(4096), 4096)).isTrue();
        assertThat(AlignedBuffers.isAligned(ByteBuffer.allocate(4096), 1)).isFalse();
    }

    @Test
    void aReadOnlyViewHasTheSameAddress() {
        ByteBuffer buffer = AlignedBuffers.allocate(4096);

        assertThat(AlignedBuffers.address(buffer.asReadOnlyBuffer())).isEqualTo(AlignedBuffers.address(buffer));
        assertThat(AlignedBuffers.address(buffer.slice(512, 512))).isEqualTo(AlignedBuffers.address(buffer) + 512);
    }

    @Test
    void addressOfHeapBufferIsRefused() {
        assertThatThrownBy(() -> AlignedBuffers.address(ByteBuffer.allocate(16)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not direct");
    }
}
