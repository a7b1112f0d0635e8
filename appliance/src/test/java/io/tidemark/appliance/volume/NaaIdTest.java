package io.tidemark.appliance.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NaaIdTest {

    @Test
    void shouldCarryNaa6AndTheTidemarkCompanyId() {
        byte[] id = NaaId.generate();
        assertThat(id).hasSize(16);
        assertThat(NaaId.naa(id)).isEqualTo(6);
        assertThat(NaaId.companyId(id)).isEqualTo(NaaId.TIDEMARK_COMPANY_ID);
        assertThat(NaaId.toHex(id)).startsWith("60a7de5");
    }

    @Test
    void shouldDifferAcrossVolumes() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(NaaId.toHex(NaaId.generate()));
        }
        assertThat(ids).hasSize(1000);
    }

    @Test
    void shouldRoundTripThroughHex() {
        byte[] id = NaaId.generate();
        assertThat(NaaId.fromHex(NaaId.toHex(id))).isEqualTo(id);
    }

    @Test
    void shouldRefuseHexThatIsNotAnNaa6Designator() {
        assertThatThrownBy(() -> NaaId.fromHex("60a7de5")).hasMessage("naaId: 60a7de5 (expected: 32 hex digits)");
        assertThatThrownBy(() -> NaaId.fromHex("50a7de5000000000000000000000000a"))
                .hasMessage("naaId: 50a7de5000000000000000000000000a (expected: NAA 6, first digit 6)");
    }
}
