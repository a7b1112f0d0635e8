package io.tidemark.iscsi.login;

import java.util.HashMap;
import java.util.Map;

/**
 * Runs the offered operational keys through {@link OperationalKey#TABLE} and remembers the
 * results; unknown keys are answered NotUnderstood, inadmissible values Reject, keys that
 * do not apply Irrelevant (RFC 7143 section 6.2). Not thread-safe: one per login.
 */
public final class OperationalNegotiation {

    private final TargetLimits limits;
    private final Map<String, String> values = new HashMap<>();

    public OperationalNegotiation(TargetLimits limits) {
        this.limits = limits;
        for (OperationalKey k : OperationalKey.TABLE) {
            values.put(k.name(), k.rfcDefault());
        }
    }

    /**
     * Answers every offered key the login layer did not consume itself.
     *
     * @param discovery whether this is a discovery session (normal-only keys are Irrelevant)
     */
    public void negotiate(Map<String, String> offered, Map<String, String> response, boolean discovery) {
        offered.forEach((name, value) -> {
            OperationalKey key = OperationalKey.BY_NAME.get(name);
            if (key == null) {
                if (OperationalKey.DECLARED.contains(name)) {
                    return;
                }
                response.put(name, OperationalKey.IRRELEVANT.contains(name) ? "Irrelevant" : "NotUnderstood");
                return;
            }
            if (discovery && key.normalOnly()) {
                response.put(name, "Irrelevant");
                return;
            }
            String result = key.rule().respond(value, key.ours().apply(limits), key.min(), key.max());
            if (result == null) {
                response.put(name, "Reject");
            } else if (key.rule() == KeyRule.DECLARATIVE) {
                values.put(name, value);
            } else {
                values.put(name, result);
                response.put(name, result);
            }
        });
    }

    public SessionParameters parameters() {
        int maxBurst = number("MaxBurstLength");
        return new SessionParameters(
                "CRC32C".equals(values.get("HeaderDigest")),
                "CRC32C".equals(values.get("DataDigest")),
                number("MaxRecvDataSegmentLength"),
                limits.maxRecvDataSegmentLength(),
                maxBurst,
                // FirstBurstLength may not exceed MaxBurstLength (RFC 7143 section 13.14)
                Math.min(number("FirstBurstLength"), maxBurst),
                "Yes".equals(values.get("ImmediateData")),
                "Yes".equals(values.get("InitialR2T")),
                number("MaxOutstandingR2T"),
                "Yes".equals(values.get("DataPDUInOrder")),
                "Yes".equals(values.get("DataSequenceInOrder")),
                number("ErrorRecoveryLevel"),
                number("MaxConnections"),
                number("DefaultTime2Wait"),
                number("DefaultTime2Retain"));
    }

    private int number(String name) {
        return KeyRule.number(values.get(name), 0, Integer.MAX_VALUE).intValue();
    }
}
