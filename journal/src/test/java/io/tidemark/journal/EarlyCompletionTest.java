package io.tidemark.journal;

import static io.tidemark.journal.GroupFixture.BLOCK;
import static io.tidemark.journal.GroupFixture.VOLUME;
import static io.tidemark.journal.GroupFixture.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command alone in its ring batch is answered once journaled, before the store applier ran:
 * the caller may reuse its buffer at once, and every read still sees the write.
 */
class EarlyCompletionTest {

    private static final long TIMEOUT_S = 30;

    @TempDir
    Path dir;

    private GroupFixture fx;

    @BeforeEach
    void open() throws Exception {
        fx = new GroupFixture(dir, 4096).open();
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    @Test
    void bufferReusedRightAfterCompletionDoesNotReachTheStore() throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(8 * BLOCK);
        for (int i = 0; i < 200; i++) {
            ByteBuffer expected = pattern(8, i);
            buffer.clear().put(expected.duplicate()).flip();
            long lba = (i * 8L) % 4000;

            fx.group.write(VOLUME, lba, buffer, false).get(TIMEOUT_S, TimeUnit.SECONDS);
            // the initiator's buffer goes back to the pool and is overwritten at once
            buffer.clear().put(pattern(8, 10_000 + i)).flip();

            assertThat(fx.read(lba, 8)).as("write %d", i).isEqualTo(expected);
        }
        fx.group.checkpointNow();
        for (int i = 200 - 8; i < 200; i++) {
            assertThat(fx.read((i * 8L) % 4000, 8)).isEqualTo(pattern(8, i));
        }
    }

    @Test
    void compareAndWriteAloneInItsBatchWritesTheDataAsOfItsCompletion() throws Exception {
        fx.group.write(VOLUME, 5, pattern(2, 1), false).get(TIMEOUT_S, TimeUnit.SECONDS);
        ByteBuffer data = pattern(2, 2);

        long result = fx.group.compareAndWrite(VOLUME, 5, pattern(2, 1), data).get(TIMEOUT_S, TimeUnit.SECONDS);
        data.clear().put(pattern(2, 3)).flip();

        assertThat(result).isEqualTo(-1);
        assertThat(fx.read(5, 2)).isEqualTo(pattern(2, 2));
    }

    @Test
    void checkpointAfterEarlyCompletionsCoversThemAll() throws Exception {
        CompletableFuture<Long> last = null;
        for (int i = 0; i < 20; i++) {
            last = fx.group.write(VOLUME, i, pattern(1, i), false);
            last.get(TIMEOUT_S, TimeUnit.SECONDS);
        }

        fx.group.checkpointNow();

        assertThat(fx.group.checkpoint().sequence()).isEqualTo(last.get());
        assertThat(fx.group.appliedSequence()).isEqualTo(20);
    }
}
