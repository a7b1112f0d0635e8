package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The replication tests' model: replay by mark, and differences named by write. */
class GroupModelTest {

    private static final int SECTOR = GroupModel.SECTOR;

    private final GroupModel model = new GroupModel(List.of(
            new GroupModel.Disk("a", 16 * SECTOR, 11), new GroupModel.Disk("b", 16 * SECTOR, 22)));

    @Test
    void imageAtAMarkHoldsExactlyTheWritesAcknowledgedBeforeIt() {
        byte[] first = model.content(0, 2, 4);
        model.acknowledged(0, 2, 4);
        model.acknowledged(1, 0, 1);
        int mark = model.mark();
        byte[] third = model.content(0, 4, 1);
        model.acknowledged(0, 4, 1);

        byte[] atMark = model.image(0, mark);
        byte[] now = model.image(0, model.mark());

        assertThat(java.util.Arrays.copyOfRange(atMark, 2 * SECTOR, 6 * SECTOR)).isEqualTo(first);
        assertThat(java.util.Arrays.copyOfRange(now, 4 * SECTOR, 5 * SECTOR)).isEqualTo(third);
        assertThat(SectorStamp.versionAt(now, 2, 11)).isEqualTo(1);
        assertThat(SectorStamp.versionAt(now, 4, 11)).isEqualTo(3);
        assertThat(model.image(0, 0)).containsOnly(0);
        assertThat(model.describeDifference(0, mark, atMark)).isNull();
    }

    @Test
    void aViewBehindItsMarkIsReportedWithTheSectorAndBothWrites() {
        model.acknowledged(0, 0, 2);
        int before = model.mark();
        model.acknowledged(0, 1, 1);

        String difference = model.describeDifference(0, model.mark(), model.image(0, before));

        assertThat(difference).contains("1 of 16 sectors differ", "sector 1: holds write #1, model expects write #2",
                "newest write id seen in the data: 1");
    }

    @Test
    void aSectorOfTheOtherVolumeMatchesNoWrite() {
        model.acknowledged(1, 3, 1);
        byte[] b = model.image(1, model.mark());
        byte[] a = new byte[16 * SECTOR];
        System.arraycopy(b, 3 * SECTOR, a, 3 * SECTOR, SECTOR);

        assertThat(model.describeDifference(0, model.mark(), a)).contains("sector 3: holds no write of this volume");
    }

    @Test
    void writesOutsideTheVolumeAreRefused() {
        assertThatThrownBy(() -> model.acknowledged(0, 15, 2)).hasMessageContaining("inside 0..16");
    }
}
