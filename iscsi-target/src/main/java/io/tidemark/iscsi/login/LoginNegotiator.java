package io.tidemark.iscsi.login;

import io.netty.buffer.ByteBuf;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.pdu.LoginPdu;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The target side of one connection's login (RFC 7143 sections 6.3 and 11.12): leading
 * keys, Security Negotiation (AuthMethod None or CHAP), Operational Negotiation through the
 * key table, stage transitions. It decides; the connection sends. Not thread-safe: one per
 * connection, used on its event loop.
 */
public final class LoginNegotiator {

    public static final String NORMAL = "Normal";
    public static final String DISCOVERY = "Discovery";
    private static final int MAX_TEXT = 64 * 1024;

    private final TargetRegistry registry;
    private final TargetLimits limits;
    private final int portalGroupTag;
    private final SecureRandom random;
    private final OperationalNegotiation operational;

    private boolean first = true;
    private int stage;
    private byte[] isid;
    private int tsih;
    private int cid;
    private String initiatorName;
    private String initiatorAlias;
    private boolean discovery;
    private TargetNode target;
    private String authMethod;
    private ChapAuthenticator chap;
    private boolean declaredTargetInfo;
    private boolean declaredRecvLength;
    private final StringBuilder partialText = new StringBuilder();

    public LoginNegotiator(TargetRegistry registry, TargetLimits limits, int portalGroupTag, SecureRandom random) {
        this.registry = registry;
        this.limits = limits;
        this.portalGroupTag = portalGroupTag;
        this.random = random;
        this.operational = new OperationalNegotiation(limits);
    }

    public LoginStep onRequest(ByteBuf bhs, ByteBuf data) {
        int csg = LoginPdu.csg(bhs);
        if (first) {
            isid = LoginPdu.isid(bhs);
            tsih = LoginPdu.tsih(bhs);
            cid = LoginPdu.cid(bhs);
            if (LoginPdu.versionMin(bhs) > 0) {
                return LoginStep.failed(LoginStatus.UNSUPPORTED_VERSION, csg,
                        "Version-min " + LoginPdu.versionMin(bhs) + " (expected: 0)");
            }
            if (csg != LoginPdu.SECURITY_NEGOTIATION && csg != LoginPdu.OPERATIONAL_NEGOTIATION) {
                return LoginStep.failed(LoginStatus.INITIATOR_ERROR, csg, "first CSG " + csg + " (expected: 0 or 1)");
            }
            stage = csg;
        } else if (csg != stage) {
            return LoginStep.failed(LoginStatus.INITIATOR_ERROR, csg, "CSG " + csg + " (expected: " + stage + ")");
        }
        partialText.append(data.toString(data.readerIndex(), data.readableBytes(), StandardCharsets.UTF_8));
        if (partialText.length() > MAX_TEXT) {
            return LoginStep.failed(LoginStatus.OUT_OF_RESOURCES, csg,
                    "login text " + partialText.length() + " bytes (expected: at most " + MAX_TEXT + ")");
        }
        if (LoginPdu.continues(bhs)) {
            // the initiator continues its text in the next PDU: ask for it with an empty answer
            return new LoginStep(LoginStatus.SUCCESS, false, csg, 0, Map.of(), false, null);
        }
        Map<String, String> offered;
        try {
            offered = TextKeys.parse(partialText.toString());
        } catch (TextKeys.MalformedTextException e) {
            return LoginStep.failed(LoginStatus.INITIATOR_ERROR, csg, e.getMessage());
        }
        partialText.setLength(0);
        Map<String, String> response = new LinkedHashMap<>();
        if (first) {
            first = false;
            LoginStep leading = leadingKeys(offered, csg);
            if (leading != null) {
                return leading;
            }
        }
        return csg == LoginPdu.SECURITY_NEGOTIATION
                ? security(bhs, offered, response)
                : operational(bhs, offered, response);
    }

    private LoginStep leadingKeys(Map<String, String> offered, int csg) {
        initiatorName = offered.get("InitiatorName");
        initiatorAlias = offered.get("InitiatorAlias");
        if (initiatorName == null || initiatorName.isEmpty()) {
            return LoginStep.failed(LoginStatus.MISSING_PARAMETER, csg, "InitiatorName missing from the first login PDU");
        }
        String type = offered.getOrDefault("SessionType", NORMAL);
        if (!type.equals(NORMAL) && !type.equals(DISCOVERY)) {
            return LoginStep.failed(LoginStatus.SESSION_TYPE_NOT_SUPPORTED, csg,
                    "SessionType=" + type + " (expected: Normal or Discovery)");
        }
        discovery = type.equals(DISCOVERY);
        if (tsih != 0) {
            // MaxConnections is 1: a second connection can never join a session
            return LoginStep.failed(LoginStatus.SESSION_DOES_NOT_EXIST, csg,
                    "TSIH " + tsih + " (expected: 0, MaxConnections=1)");
        }
        if (!discovery) {
            String targetName = offered.get("TargetName");
            if (targetName == null || targetName.isEmpty()) {
                return LoginStep.failed(LoginStatus.MISSING_PARAMETER, csg, "TargetName missing in a normal session");
            }
            Optional<TargetNode> node = registry.target(targetName);
            if (node.isEmpty()) {
                return LoginStep.failed(LoginStatus.NOT_FOUND, csg, "TargetName=" + targetName + ": no such target");
            }
            target = node.get();
            if (!target.allows(initiatorName)) {
                return LoginStep.failed(LoginStatus.AUTHORIZATION_FAILURE, csg,
                        "initiator " + initiatorName + " not in the allow-list of " + targetName);
            }
        }
        for (String k : OperationalKey.DECLARED) {
            offered.remove(k);
        }
        return null;
    }

    private boolean chapRequired() {
        return !discovery && target.chap().isPresent();
    }

    private LoginStep security(ByteBuf bhs, Map<String, String> offered, Map<String, String> response) {
        String methods = offered.remove("AuthMethod");
        if (methods != null) {
            String chosen = KeyRule.LIST.respond(methods, chapRequired() ? "CHAP" : "None", 0, 0);
            if (chosen == null) {
                return LoginStep.failed(LoginStatus.AUTHENTICATION_FAILURE, stage,
                        "AuthMethod=" + methods + " (expected: " + (chapRequired() ? "CHAP" : "None") + ")");
            }
            authMethod = chosen;
            response.put("AuthMethod", chosen);
            if (chosen.equals("CHAP")) {
                chap = new ChapAuthenticator(target.chap().orElseThrow(), random);
            }
        }
        if (chap != null) {
            String failure = chap.step(offered, response);
            if (failure != null) {
                return LoginStep.failed(LoginStatus.AUTHENTICATION_FAILURE, stage, failure);
            }
        }
        for (String k : new String[] {"CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R"}) {
            if (offered.remove(k) != null) {
                response.put(k, "Irrelevant");
            }
        }
        operational.negotiate(offered, response, discovery);
        declareTargetInfo(response);
        boolean authenticated = chap != null ? chap.done() : authMethod != null || !chapRequired();
        if (LoginPdu.transit(bhs) && !authenticated && (authMethod == null || chap == null)) {
            return LoginStep.failed(LoginStatus.AUTHENTICATION_FAILURE, stage,
                    "initiator " + initiatorName + " skipped CHAP that " + target.iqn() + " requires");
        }
        return transition(bhs, response, authenticated);
    }

    private LoginStep operational(ByteBuf bhs, Map<String, String> offered, Map<String, String> response) {
        if (chapRequired() && (chap == null || !chap.done())) {
            return LoginStep.failed(LoginStatus.AUTHENTICATION_FAILURE, stage,
                    "initiator " + initiatorName + " skipped CHAP that " + target.iqn() + " requires");
        }
        for (String k : new String[] {"AuthMethod", "CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R"}) {
            if (offered.remove(k) != null) {
                response.put(k, "Irrelevant");
            }
        }
        operational.negotiate(offered, response, discovery);
        declareTargetInfo(response);
        return transition(bhs, response, true);
    }

    private LoginStep transition(ByteBuf bhs, Map<String, String> response, boolean mayLeave) {
        int nsg = LoginPdu.nsg(bhs);
        boolean transit = LoginPdu.transit(bhs) && mayLeave;
        if (transit && (nsg <= stage || nsg == 2)) {
            return LoginStep.failed(LoginStatus.INITIATOR_ERROR, stage, "NSG " + nsg + " after CSG " + stage);
        }
        if (transit && (stage == LoginPdu.OPERATIONAL_NEGOTIATION || nsg == LoginPdu.FULL_FEATURE_PHASE)
                && !declaredRecvLength) {
            response.put("MaxRecvDataSegmentLength", Integer.toString(limits.maxRecvDataSegmentLength()));
            declaredRecvLength = true;
        }
        int csg = stage;
        if (transit) {
            stage = nsg;
        }
        return new LoginStep(LoginStatus.SUCCESS, transit, csg, nsg, response,
                transit && nsg == LoginPdu.FULL_FEATURE_PHASE, null);
    }

    private void declareTargetInfo(Map<String, String> response) {
        if (declaredTargetInfo || discovery) {
            return;
        }
        declaredTargetInfo = true;
        if (target.alias() != null && !target.alias().isEmpty()) {
            response.put("TargetAlias", target.alias());
        }
        response.put("TargetPortalGroupTag", Integer.toString(portalGroupTag));
    }

    public byte[] isid() {
        return isid;
    }

    public int cid() {
        return cid;
    }

    public String initiatorName() {
        return initiatorName;
    }

    public String initiatorAlias() {
        return initiatorAlias;
    }

    public boolean discovery() {
        return discovery;
    }

    /** The target of a normal session; null for discovery. */
    public TargetNode target() {
        return target;
    }

    public String authMethod() {
        return authMethod == null ? "None" : authMethod;
    }

    /** Valid once a step reported {@code complete}. */
    public SessionParameters parameters() {
        return operational.parameters();
    }
}
