package io.tidemark.appliance.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.appliance.config.ApplianceConfig;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class PortalAddressTest {

    private static ApplianceConfig.Iscsi iscsi(String address, String advertised) {
        return new ApplianceConfig.Iscsi(address, 3260, 1, advertised, "iqn.2026-11.io.tidemark", 128, 0, 30);
    }

    @Test
    void shouldPreferTheAdvertisedHostAndTheBoundPort() {
        PortalAddress p = PortalAddress.of(iscsi("0.0.0.0", "san.example.com"), new InetSocketAddress("0.0.0.0", 3999));
        assertThat(p).isEqualTo(new PortalAddress("san.example.com", 3999));
        assertThat(p.url("iqn.2026-11.io.tidemark:v1", 2)).isEqualTo("iscsi://san.example.com:3999/iqn.2026-11.io.tidemark:v1/2");
    }

    @Test
    void shouldUseASpecificBoundAddress() {
        assertThat(PortalAddress.of(iscsi("127.0.0.1", null), new InetSocketAddress("127.0.0.1", 3260)))
                .isEqualTo(new PortalAddress("127.0.0.1", 3260));
    }

    @Test
    void shouldPickAConcreteLocalAddressWhenBoundToEveryInterface() {
        PortalAddress p = PortalAddress.of(iscsi("0.0.0.0", null), new InetSocketAddress("0.0.0.0", 3260));
        assertThat(p.host()).isNotEqualTo("0.0.0.0").matches("[0-9.]+");
    }

    @Test
    void shouldBracketIpv6HostsInUrls() {
        assertThat(new PortalAddress("fd00::5", 3260).url("iqn.x:v", 0)).isEqualTo("iscsi://[fd00::5]:3260/iqn.x:v/0");
    }
}
