package io.tidemark.appliance.lun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileDurableStateTest {

    @TempDir
    Path dir;

    @Test
    void loadIsEmptyWhenNothingWasEverStored() {
        assertThat(new FileDurableState(dir.resolve("v.pr")).load()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, 65536})
    void aStoredValueIsWhatANewInstanceLoads(int length) {
        byte[] value = new byte[length];
        for (int i = 0; i < length; i++) {
            value[i] = (byte) (i * 13 + 1);
        }
        new FileDurableState(dir.resolve("v.pr")).store(value);

        assertThat(new FileDurableState(dir.resolve("v.pr")).load()).isEqualTo(value);
    }

    @Test
    void storeReplacesTheWholeValueAndLeavesNoTemporaryFile() throws IOException {
        FileDurableState state = new FileDurableState(dir.resolve("v.pr"));
        state.store("a much longer first value".getBytes(StandardCharsets.UTF_8));

        state.store("short".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(state.load(), StandardCharsets.UTF_8)).isEqualTo("short");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve("v.pr"));
        }
    }

    @Test
    void aTemporaryFileLeftByACrashIsIgnoredAndReplaced() throws IOException {
        FileDurableState state = new FileDurableState(dir.resolve("v.pr"));
        state.store(new byte[] {1, 2, 3});
        Files.write(dir.resolve("v.pr.tmp"), new byte[] {9, 9, 9, 9, 9});

        assertThat(state.load()).containsExactly(1, 2, 3);
        state.store(new byte[] {4});
        assertThat(new FileDurableState(dir.resolve("v.pr")).load()).containsExactly(4);
        assertThat(dir.resolve("v.pr.tmp")).doesNotExist();
    }

    @Test
    void aStoreThatCannotBeWrittenNamesTheFile() {
        Path unwritable = dir.resolve("missing-dir").resolve("v.pr");

        assertThatThrownBy(() -> new FileDurableState(unwritable).store(new byte[] {1}))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(unwritable.toString());
    }
}
