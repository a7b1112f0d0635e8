package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Stamped sectors name their write, and anything torn, misplaced or foreign names none. */
class SectorStampTest {

    private static final long SEED = 0x5eed;
    private static final int SECTORS = 8;

    @ParameterizedTest(name = "{0} sectors")
    @ValueSource(ints = {1, 3, 8})
    void shouldReadBackTheWriteIdOfEverySectorItStamped(int sectors) {
        byte[] image = new byte[SECTORS * SectorStamp.SECTOR];
        byte[] write = new byte[sectors * SectorStamp.SECTOR];
        SectorStamp.fill(write, SEED, 42, SECTORS - sectors, sectors);
        System.arraycopy(write, 0, image, (SECTORS - sectors) * SectorStamp.SECTOR, write.length);

        for (int lba = 0; lba < SECTORS; lba++) {
            long expected = lba >= SECTORS - sectors ? 42 : SectorStamp.NEVER_WRITTEN;
            assertThat(SectorStamp.versionAt(image, lba, SEED)).as("LBA %d", lba).isEqualTo(expected);
        }
    }

    @Test
    void shouldNameNoVersionForASectorWrittenAtAnotherLba() {
        byte[] image = new byte[SECTORS * SectorStamp.SECTOR];
        byte[] write = new byte[SectorStamp.SECTOR];
        SectorStamp.fill(write, SEED, 42, 3, 1);
        System.arraycopy(write, 0, image, 4 * SectorStamp.SECTOR, write.length);

        assertThat(SectorStamp.versionAt(image, 4, SEED)).isEqualTo(SectorStamp.FOREIGN);
    }

    @ParameterizedTest(name = "byte {0} changed")
    @ValueSource(ints = {0, SectorStamp.WRITE_ID_OFFSET, SectorStamp.FILLER_OFFSET, SectorStamp.SECTOR - 1})
    void shouldNameNoVersionForASectorWithAnyByteChanged(int offset) {
        byte[] image = new byte[SectorStamp.SECTOR];
        SectorStamp.fill(image, SEED, 42, 0, 1);
        image[offset] ^= 1;

        assertThat(SectorStamp.versionAt(image, 0, SEED)).isEqualTo(SectorStamp.FOREIGN);
    }

    @Test
    void shouldNameNoVersionForAStampOfAnotherRun() {
        byte[] image = new byte[SectorStamp.SECTOR];
        SectorStamp.fill(image, SEED + 1, 42, 0, 1);

        assertThat(SectorStamp.versionAt(image, 0, SEED)).isEqualTo(SectorStamp.FOREIGN);
    }

    @Test
    void shouldRefuseWriteIdZeroWhichMeansNeverWritten() {
        assertThatThrownBy(() -> SectorStamp.fill(new byte[SectorStamp.SECTOR], SEED, 0, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write id: 0");
    }
}
