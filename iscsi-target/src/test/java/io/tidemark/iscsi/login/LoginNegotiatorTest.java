package io.tidemark.iscsi.login;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.client.IscsiTestClient;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoginNegotiatorTest {

    private static final String TARGET = "iqn.2026-11.io.tidemark.test:t";
    private final TargetRegistry registry = new TargetRegistry();
    private final LoginNegotiator login;

    LoginNegotiatorTest() {
        registry.add(new TargetNode(TARGET, "alias-t", null, Set.of()));
        login = new LoginNegotiator(registry, TargetLimits.defaults(), 7, new SecureRandom());
    }

    private static ByteBuf bhs(int csg, int nsg, boolean transit) {
        byte[] b = new byte[48];
        b[0] = 0x43;
        b[1] = (byte) ((transit ? 0x80 : 0) | csg << 2 | nsg);
        b[8] = 0x40;
        return Unpooled.wrappedBuffer(b);
    }

    private LoginStep step(int csg, int nsg, boolean transit, Map<String, String> keys) {
        return login.onRequest(bhs(csg, nsg, transit), Unpooled.wrappedBuffer(IscsiTestClient.text(keys)));
    }

    private static Map<String, String> keys(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void shouldFailWithMissingParameterWithoutInitiatorName() {
        LoginStep s = step(0, 1, true, keys("TargetName", TARGET, "AuthMethod", "None"));
        assertThat(s.status()).isEqualTo(LoginStatus.MISSING_PARAMETER);
        assertThat(s.status().code()).isEqualTo(0x0207);
    }

    @Test
    void shouldFailWithMissingParameterWithoutTargetNameInANormalSession() {
        assertThat(step(0, 1, true, keys("InitiatorName", "iqn.x", "AuthMethod", "None")).status())
                .isEqualTo(LoginStatus.MISSING_PARAMETER);
    }

    @Test
    void shouldRefuseAnUnknownSessionType() {
        assertThat(step(0, 1, true, keys("InitiatorName", "iqn.x", "SessionType", "Weird")).status().code())
                .isEqualTo(0x0209);
    }

    @Test
    void shouldDeclarePortalGroupTagAndAliasAndGoToFullFeaturePhase() {
        LoginStep sec = step(0, 1, true, keys("InitiatorName", "iqn.x", "TargetName", TARGET, "AuthMethod", "CHAP,None"));
        assertThat(sec.status()).isEqualTo(LoginStatus.SUCCESS);
        assertThat(sec.transit()).isTrue();
        assertThat(sec.keys()).containsEntry("AuthMethod", "None").containsEntry("TargetPortalGroupTag", "7")
                .containsEntry("TargetAlias", "alias-t");
        LoginStep op = step(1, 3, true, keys("MaxBurstLength", "65536", "X-vendor-key", "1"));
        assertThat(op.complete()).isTrue();
        assertThat(op.keys()).containsEntry("MaxBurstLength", "65536")
                .containsEntry("X-vendor-key", "NotUnderstood")
                .containsEntry("MaxRecvDataSegmentLength", "262144");
        assertThat(login.parameters().maxBurstLength()).isEqualTo(65536);
        assertThat(login.parameters().firstBurstLength()).isEqualTo(65536);
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource({
            "HeaderDigest, 'CRC32C,None', CRC32C",
            "HeaderDigest, 'None,CRC32C', None",
            "DataDigest, MD5, Reject",
            "MaxBurstLength, 100, Reject",
            "MaxBurstLength, 99999999, Reject",
            "MaxBurstLength, 0x100000, 1048576",
            "MaxBurstLength, 999999999999, Reject",
            "FirstBurstLength, 1048576, 262144",
            "ImmediateData, Yes, Yes",
            "ImmediateData, Maybe, Reject",
            "InitialR2T, No, No",
            "InitialR2T, Yes, Yes",
            "MaxOutstandingR2T, 1, 1",
            "MaxOutstandingR2T, 0, Reject",
            "ErrorRecoveryLevel, 2, 0",
            "ErrorRecoveryLevel, 3, Reject",
            "MaxConnections, 8, 1",
            "DefaultTime2Wait, 0, 2",
            "DefaultTime2Retain, 20, 0",
            "DataPDUInOrder, No, Yes",
            "DataSequenceInOrder, No, Yes",
            "IFMarker, Yes, No",
            "OFMarkInt, 2048, Irrelevant",
            "TaskReporting, 'ResponseFence,RFC3720', RFC3720",
            "TaskReporting, FastAbort, Reject",
            "SomethingElse, 1, NotUnderstood"})
    void shouldNegotiateEachKeyByItsRule(String key, String offered, String expected) {
        step(1, 3, false, keys("InitiatorName", "iqn.x", "TargetName", TARGET, key, offered));
        LoginStep s = step(1, 3, false, keys());
        assertThat(s.status()).isEqualTo(LoginStatus.SUCCESS);
        OperationalNegotiation n = new OperationalNegotiation(TargetLimits.defaults());
        Map<String, String> response = new LinkedHashMap<>();
        n.negotiate(keys(key, offered), response, false);
        assertThat(response).containsEntry(key, expected);
    }

    @Test
    void shouldAnswerIrrelevantForNormalSessionKeysInDiscovery() {
        LoginStep s = step(1, 3, true, keys("InitiatorName", "iqn.x", "SessionType", "Discovery",
                "MaxBurstLength", "65536", "HeaderDigest", "None"));
        assertThat(s.complete()).isTrue();
        assertThat(s.keys()).containsEntry("MaxBurstLength", "Irrelevant").containsEntry("HeaderDigest", "None");
        assertThat(login.target()).isNull();
    }

    @Test
    void shouldFailOnAKeySentTwice() {
        ByteBuf data = Unpooled.wrappedBuffer("InitiatorName=a\0InitiatorName=b\0".getBytes());
        assertThat(login.onRequest(bhs(0, 1, true), data).status()).isEqualTo(LoginStatus.INITIATOR_ERROR);
    }

    @Test
    void shouldNotLeaveSecurityBeforeChapCompletes() {
        TargetRegistry r = new TargetRegistry();
        r.add(new TargetNode(TARGET, null, new TargetNode.ChapCredentials("u", "secretsecret", null, null), Set.of()));
        LoginNegotiator chap = new LoginNegotiator(r, TargetLimits.defaults(), 1, new SecureRandom());
        LoginStep first = chap.onRequest(bhs(0, 1, true), Unpooled.wrappedBuffer(IscsiTestClient.text(
                keys("InitiatorName", "iqn.x", "TargetName", TARGET, "AuthMethod", "None,CHAP"))));
        assertThat(first.keys()).containsEntry("AuthMethod", "CHAP");
        assertThat(first.transit()).isFalse();
        LoginStep skip = chap.onRequest(bhs(1, 3, true), Unpooled.wrappedBuffer(new byte[0]));
        assertThat(skip.status()).isEqualTo(LoginStatus.INITIATOR_ERROR);
    }

    @Test
    void shouldRefuseMutualChapWhenTheTargetHasNoMutualSecret() {
        TargetRegistry r = new TargetRegistry();
        r.add(new TargetNode(TARGET, null, new TargetNode.ChapCredentials("u", "secretsecret", null, null), Set.of()));
        LoginNegotiator chap = new LoginNegotiator(r, TargetLimits.defaults(), 1, new SecureRandom());
        chap.onRequest(bhs(0, 1, false), Unpooled.wrappedBuffer(IscsiTestClient.text(
                keys("InitiatorName", "iqn.x", "TargetName", TARGET, "AuthMethod", "CHAP"))));
        LoginStep c = chap.onRequest(bhs(0, 1, false), Unpooled.wrappedBuffer(IscsiTestClient.text(keys("CHAP_A", "5"))));
        int id = Integer.parseInt(c.keys().get("CHAP_I"));
        byte[] challenge = java.util.HexFormat.of().parseHex(c.keys().get("CHAP_C").substring(2));
        String r1 = "0x" + java.util.HexFormat.of().formatHex(ChapAuthenticator.md5(id, "secretsecret", challenge));
        LoginStep answer = chap.onRequest(bhs(0, 1, true), Unpooled.wrappedBuffer(IscsiTestClient.text(
                keys("CHAP_N", "u", "CHAP_R", r1, "CHAP_I", "3", "CHAP_C", "0x0102030405060708"))));
        assertThat(answer.status()).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void shouldAcceptBase64ChapResponses() {
        assertThat(ChapAuthenticator.binary("0bAQID")).containsExactly(1, 2, 3);
        assertThat(ChapAuthenticator.binary("0x010203")).containsExactly(1, 2, 3);
        assertThat(ChapAuthenticator.binary("010203")).isNull();
        assertThat(ChapAuthenticator.binary("0xzz")).isNull();
    }
}
