package io.tidemark.appliance.volume;

import io.tidemark.appliance.lun.BlockDeviceUnit;
import io.tidemark.iscsi.spi.LogicalUnit;
import java.io.IOException;

/**
 * Volumes on the journal module's file store ({@code FileStore}: O_DIRECT where the file
 * system allows it, UNMAP punches holes), served through {@link BlockDeviceUnit}.
 */
public final class BlockDeviceStorage implements VolumeStorage {

    private final boolean directIo;

    /** @param directIo {@code store.direct-io} */
    public BlockDeviceStorage(boolean directIo) {
        this.directIo = directIo;
    }

    @Override
    public OpenVolume open(VolumeFiles files, long sizeBytes) throws IOException {
        BlockDeviceUnit unit = BlockDeviceUnit.openFile(files.image(), files.reservations(), directIo);
        long actual = unit.blockCount() * unit.blockSize();
        if (actual != sizeBytes) {
            unit.close();
            throw new IOException("image " + files.image() + " holds " + actual + " bytes (expected: " + sizeBytes
                    + ", as its metadata says)");
        }
        return new OpenVolume() {
            @Override
            public LogicalUnit unit() {
                return unit;
            }

            @Override
            public void grow(long newSizeBytes) throws IOException {
                unit.grow(newSizeBytes);
            }

            @Override
            public void close() throws IOException {
                unit.close();
            }
        };
    }
}
