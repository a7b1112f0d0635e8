package io.tidemark.replicator.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.replicator.pki.PairingException.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PairingTokensTest {

    private final Identity dr = Identity.generate("dr");
    private final ManualClock clock = new ManualClock();
    private final PairingTokens tokens = new PairingTokens(dr, clock, Duration.ofMinutes(10));

    @Test
    void aTokenEmbedsTheIssuersFingerprintAndIsRedeemedOnce() throws Exception {
        String token = tokens.issue();

        assertThat(PairingTokens.parse(token).issuerFingerprint()).isEqualTo(dr.fingerprint());
        assertThatCode(() -> tokens.redeem(token)).doesNotThrowAnyException();
        assertThatThrownBy(() -> tokens.redeem(token))
                .isInstanceOfSatisfying(PairingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_TOKEN))
                .hasMessageContaining("already used");
    }

    @Test
    void aTokenIsRefusedAfterItsTimeToLive() {
        PairingTokens.IssuedToken issued = tokens.issueToken();
        assertThat(issued.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));

        clock.advance(Duration.ofMinutes(10));

        assertThatThrownBy(() -> tokens.redeem(issued.token()))
                .isInstanceOfSatisfying(PairingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED));
    }

    @Test
    void aTokenWithAnotherSecretIsRefused() throws Exception {
        String token = tokens.issue();
        char last = token.charAt(token.length() - 2);
        String forged = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);

        assertThatThrownBy(() -> tokens.redeem(forged))
                .isInstanceOfSatisfying(PairingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_TOKEN))
                .hasMessageContaining("unknown token");
        assertThatCode(() -> tokens.redeem(token)).doesNotThrowAnyException();
    }

    @Test
    void aSecondSpellingOfTheSameSecretIsRefusedAsMalformed() {
        String token = tokens.issue();
        // the last base64url character of a 32-byte secret carries 4 bits and 2 unused ones;
        // setting an unused bit spells the same bytes differently
        char last = token.charAt(token.length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char sibling = alphabet.charAt(alphabet.indexOf(last) ^ 1);
        String respelled = token.substring(0, token.length() - 1) + sibling;

        assertThatThrownBy(() -> PairingTokens.parse(respelled))
                .isInstanceOfSatisfying(PairingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_TOKEN))
                .hasMessageContaining("not canonical");
        assertThatCode(() -> tokens.redeem(token)).doesNotThrowAnyException();
    }

    @Test
    void aTokenIssuedByAnotherApplianceIsRefused() {
        String foreign = new PairingTokens(Identity.generate("elsewhere")).issue();

        assertThatThrownBy(() -> tokens.redeem(foreign))
                .isInstanceOfSatisfying(PairingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_TOKEN))
                .hasMessageContaining("another appliance");
    }

    @Test
    void malformedTokensAreRefusedWithAReason() {
        for (String bad : new String[] {"", "tmk1", "tmk1.a.b", "xxx1.AAAA.BBBB", "tmk1.!!!.???", null}) {
            assertThatThrownBy(() -> tokens.redeem(bad))
                    .isInstanceOfSatisfying(PairingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_TOKEN));
        }
    }

    @Test
    void tokensAreDistinctAndDoNotShowTheSecretInToString() {
        PairingTokens.IssuedToken a = tokens.issueToken();
        PairingTokens.IssuedToken b = tokens.issueToken();

        assertThat(a.token()).isNotEqualTo(b.token());
        assertThat(a.toString()).doesNotContain(a.token());
    }
}
