package io.tidemark.appliance.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
        "0, 0",
        "1ms, 1",
        "500MS, 500",
        "1s, 1000",
        "5m, 300000",
        "1h, 3600000",
        "7d, 604800000",
        "999999999ms, 999999999",
    })
    void shouldParseEveryUnit(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "5", "-1s", "1.5s", "1w", "s", "1 s", "1000000000ms"})
    void shouldRefuseAnythingElseNamingTheValue(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duration: " + text + " (expected: " + Durations.EXPECTED + ")");
    }

    @ParameterizedTest(name = "{0} ms -> {1}")
    @CsvSource({
        "0, 0",
        "250, 250ms",
        "1000, 1s",
        "90000, 90s",
        "3600000, 1h",
        "86400000, 1d",
    })
    void shouldFormatTheShortestExactForm(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }
}
