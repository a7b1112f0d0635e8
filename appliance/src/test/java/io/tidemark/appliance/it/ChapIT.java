package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Login security with libiscsi's tools against a real appliance configured by file: one target
 * with CHAP, one with mutual CHAP, one with an initiator allow-list. The right credentials get
 * in; wrong ones and initiators outside the list are refused, with the RFC 7143 login status.
 */
@ExtendWith(ApplianceLogOnFailure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ChapIT {

    private static final String PREFIX = ApplianceProcess.IQN_PREFIX;
    private static final String INITIATOR = "iqn.2026-11.io.tidemark.test:chap-client";
    private static final String ALLOWED = "iqn.2026-11.io.tidemark.test:allowed";
    private static final String ALSO_ALLOWED = "iqn.2026-11.io.tidemark.test:also-allowed";
    private static final String STRANGER = "iqn.2026-11.io.tidemark.test:stranger";
    private static final Duration DEADLINE = Duration.ofMinutes(1);

    private static final String CONFIG = """
            # written by ChapIT
            demo.volume.size = 0
            target.secure.chap.user = alice
            target.secure.chap.secret = alice-secret-12
            target.mutual.chap.user = bob
            target.mutual.chap.secret = bob-secret-1234
            target.mutual.chap.mutual-user = tidemark-target
            target.mutual.chap.mutual-secret = target-secret-99
            target.acl.allowed-initiators = %s, %s
            """.formatted(ALLOWED, ALSO_ALLOWED);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;

    private ApplianceProcess appliance;

    @BeforeAll
    void startConfiguredAppliance() {
        appliance = ApplianceProcess.start(work.resolve("appliance"), CONFIG);
        appliance.api().createVolume("secure-disk", 16L << 20, "secure", 0);
        appliance.api().createVolume("mutual-disk", 16L << 20, "mutual", 0);
        appliance.api().createVolume("acl-disk", 16L << 20, "acl", 0);
    }

    @AfterAll
    void stopAppliance() {
        if (appliance != null) {
            appliance.close();
        }
    }

    @Test
    void theRightChapSecretLogsIn() {
        LoginOutcome login = inquiry(INITIATOR, "alice%alice-secret-12@", "secure", "");

        assertThat(login.loggedIn()).as(login.output()).isTrue();
        assertThat(login.output()).contains("Peripheral Device Type:DIRECT_ACCESS");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "wrong secret      | alice%alice-secret-13@",
            "unknown user      | mallory%alice-secret-12@",
            "no credentials    | ''"})
    void aLoginWithoutTheRightChapSecretIsRefusedWithAuthenticationFailure(String why, String credentials) {
        LoginOutcome login = inquiry(INITIATOR, credentials, "secure", "");

        assertThat(login.loggedIn()).as("%s must not log in:\n%s", why, login.output()).isFalse();
        assertThat(login.status()).as("login status (0x0201 = 513 expected):\n%s", login.output())
                .contains(LoginOutcome.AUTHENTICATION_FAILURE);
    }

    @Test
    void mutualChapLogsInWhenTheTargetProvesItsSecret() {
        LoginOutcome login = inquiry(INITIATOR, "bob%bob-secret-1234@", "mutual",
                "?target_user=tidemark-target&target_password=target-secret-99");

        assertThat(login.loggedIn()).as(login.output()).isTrue();
    }

    @Test
    void mutualChapInitiatorRejectsATargetThatDoesNotKnowTheExpectedSecret() {
        // libiscsi checks the target's CHAP_R against this secret: the appliance answers with its own
        LoginOutcome login = inquiry(INITIATOR, "bob%bob-secret-1234@", "mutual",
                "?target_user=tidemark-target&target_password=not-the-target-secret");

        assertThat(login.loggedIn()).as(login.output()).isFalse();
        assertThat(login.output()).contains("Invalid CHAP_R response from the target");
    }

    @Test
    void mutualChapTargetStillRefusesAWrongInitiatorSecret() {
        LoginOutcome login = inquiry(INITIATOR, "bob%wrong-secret-0000@", "mutual",
                "?target_user=tidemark-target&target_password=target-secret-99");

        assertThat(login.loggedIn()).as(login.output()).isFalse();
        assertThat(login.status()).as(login.output()).contains(LoginOutcome.AUTHENTICATION_FAILURE);
    }

    @ParameterizedTest
    @CsvSource({ALLOWED, ALSO_ALLOWED})
    void anInitiatorOnTheAllowListLogsIn(String initiator) {
        LoginOutcome login = inquiry(initiator, "", "acl", "");

        assertThat(login.loggedIn()).as(login.output()).isTrue();
    }

    @Test
    void anInitiatorOutsideTheAllowListIsRefused() {
        LoginOutcome login = inquiry(STRANGER, "", "acl", "");

        assertThat(login.loggedIn()).as(login.output()).isFalse();
        assertThat(login.status()).as("login status (0x0202 authorization failure or 0x0203 not found):\n%s", login.output())
                .hasValueSatisfying(s -> assertThat(s).isIn(LoginOutcome.AUTHORIZATION_FAILURE, LoginOutcome.NOT_FOUND));
    }

    @Test
    void aTargetWithoutChapOrAllowListStaysOpenNextToProtectedOnes() {
        Volume open = appliance.api().createVolume("open-disk", 16L << 20);

        ToolRun run = ExternalTool.ISCSI_INQ.run(work, DEADLINE, "-i", STRANGER, appliance.lunUrl(open));

        assertThat(run.succeeded()).as(run.describe()).isTrue();
    }

    @Test
    void discoveryListsTheProtectedTargets() {
        ToolRun ls = ExternalTool.ISCSI_LS.run(work, DEADLINE, "-i", ALLOWED, appliance.portalUrl());

        assertThat(ls.succeeded()).as(ls.describe()).isTrue();
        assertThat(Discovery.parse(ls.stdout()).targets()).as(ls.describe())
                .contains(PREFIX + ":secure", PREFIX + ":mutual", PREFIX + ":acl");
    }

    private LoginOutcome inquiry(String initiator, String credentials, String target, String urlArguments) {
        String url = "iscsi://" + credentials + appliance.portal() + "/" + PREFIX + ":" + target + "/0" + urlArguments;
        return LoginOutcome.of(ExternalTool.ISCSI_INQ.run(work, DEADLINE, "-i", initiator, url));
    }
}
