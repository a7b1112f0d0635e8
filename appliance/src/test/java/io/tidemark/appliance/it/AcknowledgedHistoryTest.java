package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The crash test's model: what it allows after a crash, and that it catches what it must. */
class AcknowledgedHistoryTest {

    private static final int SECTORS = 16;
    private static final long OLD = 7;

    private final AcknowledgedHistory history = new AcknowledgedHistory(SECTORS);
    private final long[] before = filled(OLD);

    @Test
    void shouldRequireTheNewestVersionOfAWriteAcknowledgedBeforeAnAcknowledgedFlush() {
        ack(history.sendWrite(10, 2, 2, false));
        ack(history.sendWrite(11, 3, 1, false));
        ackFlush();

        long[] found = filled(OLD);
        found[2] = 10;
        found[3] = 11;
        assertThat(history.check(before, found).violations()).isEmpty();

        found[3] = 10;
        assertThat(history.check(before, found).violations()).extracting(AcknowledgedHistory.Violation::lba)
                .containsExactly(3L);
        found[3] = OLD;
        assertThat(history.check(before, found).violations()).hasSize(1);
    }

    @ParameterizedTest(name = "found version {0}")
    @ValueSource(longs = {SectorStamp.NEVER_WRITTEN, SectorStamp.FOREIGN, OLD, 10})
    void shouldRejectAnythingButTheFlushedVersionWhenNothingWasSentAfterIt(long wrong) {
        ack(history.sendWrite(10, 0, 1, false));
        ack(history.sendWrite(11, 0, 1, false));
        ackFlush();

        long[] found = filled(OLD);
        found[0] = wrong;
        AcknowledgedHistory.Outcome outcome = history.check(before, found);

        assertThat(outcome.violations()).singleElement().satisfies(v -> {
            assertThat(v.lba()).isZero();
            assertThat(v.allowed()).containsExactly(11L);
        });
    }

    @Test
    void shouldAllowEitherTheOldVersionOrAnyLaterOneForWritesAfterTheLastFlush() {
        ack(history.sendWrite(10, 0, 1, false));
        ackFlush();
        ack(history.sendWrite(11, 0, 1, false));
        history.sendWrite(12, 0, 1, false);
        ack(history.sendWrite(13, 5, 1, false));

        for (long version : new long[] {10, 11, 12}) {
            long[] found = filled(OLD);
            found[0] = version;
            found[5] = version == 10 ? OLD : 13;
            assertThat(history.check(before, found).violations()).as("version %d", version).isEmpty();
        }
        long[] found = filled(OLD);
        found[0] = OLD;
        assertThat(history.check(before, found).violations()).as("version from before the flushed one").hasSize(1);
    }

    @Test
    void shouldTreatAnAcknowledgedFuaWriteAsDurableWithoutAFlush() {
        ack(history.sendWrite(10, 4, 1, true));
        ack(history.sendWrite(11, 5, 1, false));

        long[] found = filled(OLD);
        AcknowledgedHistory.Outcome outcome = history.check(before, found);

        assertThat(outcome.violations()).extracting(AcknowledgedHistory.Violation::lba).containsExactly(4L);
        assertThat(outcome.lostUnflushed()).as("sector 5 lost its unflushed write, which is allowed").isEqualTo(1);
    }

    @Test
    void shouldNotCountAFlushSentBeforeTheWriteWasAcknowledgedAsMakingItDurable() {
        AcknowledgedHistory.Write write = history.sendWrite(10, 0, 1, false);
        AcknowledgedHistory.Flush flush = history.sendFlush();
        history.acknowledged(write, history.tick());
        history.acknowledged(flush, history.tick());

        assertThat(history.durable(write)).isFalse();
        assertThat(history.check(before, filled(OLD)).violations()).isEmpty();
    }

    @Test
    void shouldNotCountAnUnacknowledgedFlush() {
        ack(history.sendWrite(10, 0, 1, false));
        history.sendFlush();

        assertThat(history.check(before, filled(OLD)).violations()).isEmpty();
    }

    @Test
    void shouldCatchASectorThatIsNoStampOfThisRun() {
        long[] found = filled(OLD);
        found[9] = SectorStamp.FOREIGN;

        assertThat(history.check(before, found).violations()).extracting(AcknowledgedHistory.Violation::lba)
                .containsExactly(9L);
    }

    @Test
    void shouldRefuseWritesOutsideTheVolume() {
        assertThatThrownBy(() -> history.sendWrite(10, SECTORS - 1, 2, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Integer.toString(SECTORS));
    }

    @Test
    void shouldRefuseToOrderOverlappingWritesThatWereInFlightTogether() {
        history.sendWrite(10, 0, 2, false);
        history.sendWrite(11, 1, 1, false);

        assertThatThrownBy(() -> history.check(before, filled(OLD))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("write#11");
    }

    private void ack(AcknowledgedHistory.Write write) {
        history.acknowledged(write, history.tick());
    }

    private void ackFlush() {
        history.acknowledged(history.sendFlush(), history.tick());
    }

    private static long[] filled(long version) {
        long[] versions = new long[SECTORS];
        Arrays.fill(versions, version);
        return versions;
    }
}
