package io.tidemark.iscsi.login;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One row of the negotiation table: a key, where it applies, how its result is computed,
 * and what we offer. The table below covers every operational key of RFC 7143 section 13
 * (plus the RFC 3720 marker keys, which some initiators still send).
 *
 * @param name        the key
 * @param session     session-wide (true) or per connection
 * @param normalOnly  irrelevant in a discovery session
 * @param rule        result function
 * @param min         smallest admissible numeric value
 * @param max         largest admissible numeric value (0: not numeric)
 * @param ours        our value, from the target limits
 * @param rfcDefault  the value that holds when nobody sends the key
 */
public record OperationalKey(String name, boolean session, boolean normalOnly, KeyRule rule, long min, long max,
                             Function<TargetLimits, String> ours, String rfcDefault) {

    private static final int MAX_24 = 16777215;

    public static final List<OperationalKey> TABLE = List.of(
            new OperationalKey("HeaderDigest", false, false, KeyRule.LIST, 0, 0, l -> "CRC32C,None", "None"),
            new OperationalKey("DataDigest", false, false, KeyRule.LIST, 0, 0, l -> "CRC32C,None", "None"),
            new OperationalKey("MaxRecvDataSegmentLength", false, false, KeyRule.DECLARATIVE, 512, MAX_24,
                    l -> Integer.toString(l.maxRecvDataSegmentLength()), "8192"),
            new OperationalKey("MaxBurstLength", true, true, KeyRule.MIN, 512, MAX_24,
                    l -> Integer.toString(l.maxBurstLength()), "262144"),
            new OperationalKey("FirstBurstLength", true, true, KeyRule.MIN, 512, MAX_24,
                    l -> Integer.toString(l.firstBurstLength()), "65536"),
            new OperationalKey("ImmediateData", true, true, KeyRule.AND, 0, 0,
                    l -> KeyRule.yesNo(l.immediateData()), "Yes"),
            new OperationalKey("InitialR2T", true, true, KeyRule.OR, 0, 0,
                    l -> KeyRule.yesNo(l.initialR2T()), "Yes"),
            new OperationalKey("MaxOutstandingR2T", true, true, KeyRule.MIN, 1, 65535,
                    l -> Integer.toString(l.maxOutstandingR2T()), "1"),
            new OperationalKey("DataPDUInOrder", true, true, KeyRule.OR, 0, 0, l -> "Yes", "Yes"),
            new OperationalKey("DataSequenceInOrder", true, true, KeyRule.OR, 0, 0, l -> "Yes", "Yes"),
            new OperationalKey("ErrorRecoveryLevel", true, false, KeyRule.MIN, 0, 2, l -> "0", "0"),
            new OperationalKey("MaxConnections", true, false, KeyRule.MIN, 1, 65535, l -> "1", "1"),
            new OperationalKey("DefaultTime2Wait", true, false, KeyRule.MAX, 0, 3600,
                    l -> Integer.toString(l.defaultTime2Wait()), "2"),
            new OperationalKey("DefaultTime2Retain", true, false, KeyRule.MIN, 0, 3600,
                    l -> Integer.toString(l.defaultTime2Retain()), "20"),
            new OperationalKey("iSCSIProtocolLevel", true, false, KeyRule.MIN, 0, 31, l -> "1", "0"),
            // RFC 7144 section 2.2: only the RFC 3720 task reporting semantics are offered
            new OperationalKey("TaskReporting", true, false, KeyRule.LIST, 0, 0, l -> "RFC3720", "RFC3720"),
            new OperationalKey("IFMarker", false, false, KeyRule.AND, 0, 0, l -> "No", "No"),
            new OperationalKey("OFMarker", false, false, KeyRule.AND, 0, 0, l -> "No", "No"));

    public static final Map<String, OperationalKey> BY_NAME =
            TABLE.stream().collect(Collectors.toUnmodifiableMap(OperationalKey::name, k -> k));

    /** Keys every side states about itself; accepted as sent, answered by nothing. */
    public static final List<String> DECLARED = List.of(
            "InitiatorName", "InitiatorAlias", "TargetName", "TargetAlias", "SessionType",
            "TargetPortalGroupTag", "TargetAddress");

    /** Keys with no meaning once negotiated by the marker rules above. */
    public static final List<String> IRRELEVANT = List.of("IFMarkInt", "OFMarkInt");
}
