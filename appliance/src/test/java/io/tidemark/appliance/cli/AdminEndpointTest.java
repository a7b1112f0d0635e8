package io.tidemark.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdminEndpointTest {

    @Test
    void shouldParseHostAndPort() {
        assertThat(AdminEndpoint.parse("127.0.0.1:9090")).isEqualTo(new AdminEndpoint("127.0.0.1", 9090));
        assertThat(AdminEndpoint.parse("appliance.example:1")).isEqualTo(new AdminEndpoint("appliance.example", 1));
        assertThat(AdminEndpoint.parse("[::1]:9091").uri("/x").toString()).isEqualTo("http://[::1]:9091/x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host", ":9090", "host:", "host:0", "host:65536", "host:http"})
    void shouldRefuseAnythingElseAsAUsageError(String text) {
        assertThatThrownBy(() -> AdminEndpoint.parse(text))
                .hasMessage("--admin: " + text + " (expected: HOST:PORT, port 1..65535)");
    }
}
