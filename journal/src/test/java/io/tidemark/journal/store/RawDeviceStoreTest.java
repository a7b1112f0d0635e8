package io.tidemark.journal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.journal.store.BlockDevice.Extent;
import io.tidemark.journal.store.RawDeviceStore.UnmapMode;
import io.tidemark.nativeio.AlignedBuffers;
import io.tidemark.nativeio.Errno;
import io.tidemark.nativeio.NativeIoException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RawDeviceStoreTest {

    private static final int SIZE = 16 << 20;

    @TempDir
    Path dir;

    @Test
    void aRegularFileIsRefusedWithTheIoctlErrorNamingThePath() throws IOException {
        Path regular = dir.resolve("not-a-device.img");
        try (RandomAccessFile file = new RandomAccessFile(regular.toFile(), "rw")) {
            file.setLength(SIZE);
        }

        assertThatThrownBy(() -> RawDeviceStore.open(regular))
                .isInstanceOfSatisfying(NativeIoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOTTY);
                    assertThat(e.call()).isEqualTo("ioctl(BLKGETSIZE64)");
                    assertThat(e.path()).isEqualTo(regular.toString());
                });
    }

    @Test
    void aMissingDeviceIsRefusedWithENOENT() {
        assertThatThrownBy(() -> RawDeviceStore.open(dir.resolve("no-such-device")))
                .isInstanceOfSatisfying(NativeIoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }

    /** Runs only where losetup can attach a loop device (root in CI); skipped elsewhere. */
    @Nested
    class OnALoopDevice {

        private LoopDevice loop;

        @BeforeEach
        void attach() throws Exception {
            Path backing = dir.resolve("backing.img");
            try (RandomAccessFile file = new RandomAccessFile(backing.toFile(), "rw")) {
                file.setLength(SIZE);
            }
            loop = LoopDevice.attach(backing);
            Assumptions.assumeTrue(loop != null, "losetup cannot attach a loop device here");
        }

        @AfterEach
        void detach() throws Exception {
            if (loop != null) {
                loop.close();
            }
        }

        @Test
        void sizeComesFromTheDeviceAndResizeIsRefused() throws IOException {
            try (RawDeviceStore store = RawDeviceStore.open(loop.path())) {
                assertThat(store.blockCount()).isEqualTo(SIZE / 512);
                assertThat(store.directIo()).isTrue();
                assertThat(store.thinProvisioned()).isFalse();
                assertThat(store.mappingStatus(10)).isEqualTo(new Extent(true, SIZE / 512 - 10));
                assertThatThrownBy(() -> store.resize(SIZE / 512 * 2))
                        .isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageContaining(loop.path().toString());
            }
        }

        @ParameterizedTest
        @ValueSource(booleans = {true, false})
        void readsBackWhatWasWrittenFromHeapAndDirectBuffers(boolean direct) throws IOException {
            try (RawDeviceStore store = RawDeviceStore.open(loop.path(), StoreOptions.DEFAULTS.withDirectIo(direct),
                    UnmapMode.ZERO_OUT)) {
                ByteBuffer data = random(AlignedBuffers.allocate(65536));
                ByteBuffer heap = random(ByteBuffer.allocate(512 * 3));

                store.write(1, data);
                store.write(SIZE / 512 - 3, heap);
                store.flush();

                ByteBuffer back = ByteBuffer.allocate(65536);
                store.read(1, back);
                assertThat(back).isEqualTo(data);
                ByteBuffer tail = AlignedBuffers.allocate(512 * 3);
                store.read(SIZE / 512 - 3, tail);
                assertThat(tail).isEqualTo(heap);
            }
        }

        @ParameterizedTest
        @EnumSource(UnmapMode.class)
        void unmapReadsBackZeros(UnmapMode mode) throws IOException {
            try (RawDeviceStore store = RawDeviceStore.open(loop.path(), StoreOptions.DEFAULTS, mode)) {
                ByteBuffer data = random(AlignedBuffers.allocate(1 << 20));
                store.write(0, data);
                store.flush();

                store.unmap(8, 1024);

                ByteBuffer back = AlignedBuffers.allocate(1 << 20);
                store.read(0, back);
                assertThat(back.slice(8 * 512, 1024 * 512)).isEqualTo(ByteBuffer.allocate(1024 * 512));
                assertThat(back.slice(0, 8 * 512)).isEqualTo(data.slice(0, 8 * 512));
                assertThat(store.unmapMode()).isEqualTo(mode);
            }
        }
    }

    private static ByteBuffer random(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        new Random(bytes.length).nextBytes(bytes);
        return buffer.put(0, bytes);
    }
}
