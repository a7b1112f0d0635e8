package io.tidemark.appliance.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "512, 512",
        "1K, 1024",
        "4k, 4096",
        "1M, 1048576",
        "10G, 10737418240",
        "2T, 2199023255552",
        "' 1G ', 1073741824",
        "9223372036854775807, 9223372036854775807",
        "8191T, 9006099743113216",
    })
    void shouldParseBytesAndBinarySuffixes(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10X", "G", "-1", "1.5G", "10 G", "10GB", "1P", "0x10", "99999999999999999999"})
    void shouldRejectMalformedSizesNamingTheValueAndTheAcceptedForms(String text) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("size: " + text + " (expected: bytes or a number with K/M/G/T suffix");
    }

    @ParameterizedTest
    @ValueSource(strings = {"8388608T", "9007199254740992K", "9223372036854775808"})
    void shouldRejectSizesThatOverflowALong(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).hasMessageContaining("below 8E");
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "512, 512", "1024, 1K", "1536, 1536", "1572864, 1536K", "1073741824, 1G", "10737418240, 10G",
        "1099511627776, 1T"})
    void shouldFormatAsTheShortestExactForm(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }
}
