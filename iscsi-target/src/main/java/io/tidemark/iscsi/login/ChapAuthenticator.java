package io.tidemark.iscsi.login;

import io.tidemark.iscsi.TargetNode.ChapCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * CHAP with MD5 (RFC 1994, RFC 7143 section 12.1.3), one-way and mutual: the target sends
 * CHAP_A=5, CHAP_I and CHAP_C, checks the initiator's CHAP_N/CHAP_R, and when the initiator
 * sends its own CHAP_I/CHAP_C answers with the mutual name and secret. Not thread-safe: one
 * per login.
 */
public final class ChapAuthenticator {

    /** CHAP_A value of MD5. */
    public static final String MD5 = "5";
    private static final int CHALLENGE_LENGTH = 16;

    private enum State { WAIT_ALGORITHM, WAIT_RESPONSE, DONE }

    private final ChapCredentials credentials;
    private final SecureRandom random;
    private State state = State.WAIT_ALGORITHM;
    private int identifier;
    private byte[] challenge;

    public ChapAuthenticator(ChapCredentials credentials, SecureRandom random) {
        this.credentials = credentials;
        this.random = random;
    }

    public boolean done() {
        return state == State.DONE;
    }

    /**
     * Consumes the CHAP_* keys of one login PDU (removing them from {@code offered}) and puts
     * the answer into {@code response}.
     *
     * @return null while authentication proceeds or has succeeded; the reason when it failed
     */
    public String step(Map<String, String> offered, Map<String, String> response) {
        String algorithms = offered.remove("CHAP_A");
        String name = offered.remove("CHAP_N");
        String answer = offered.remove("CHAP_R");
        String initiatorId = offered.remove("CHAP_I");
        String initiatorChallenge = offered.remove("CHAP_C");
        switch (state) {
            case WAIT_ALGORITHM -> {
                if (algorithms == null) {
                    return null;
                }
                if (!java.util.Arrays.asList(algorithms.split(",")).contains(MD5)) {
                    return "CHAP_A=" + algorithms + " (expected: 5, MD5)";
                }
                identifier = random.nextInt(256);
                challenge = new byte[CHALLENGE_LENGTH];
                random.nextBytes(challenge);
                response.put("CHAP_A", MD5);
                response.put("CHAP_I", Integer.toString(identifier));
                response.put("CHAP_C", "0x" + HexFormat.of().formatHex(challenge));
                state = State.WAIT_RESPONSE;
                return null;
            }
            case WAIT_RESPONSE -> {
                if (name == null || answer == null) {
                    return "CHAP_N and CHAP_R expected";
                }
                byte[] got = binary(answer);
                if (!name.equals(credentials.user()) || got == null
                        || !MessageDigest.isEqual(got, md5(identifier, credentials.secret(), challenge))) {
                    return "CHAP_N=" + name + ": wrong name or secret";
                }
                if (initiatorId != null || initiatorChallenge != null) {
                    String failure = mutual(initiatorId, initiatorChallenge, response);
                    if (failure != null) {
                        return failure;
                    }
                }
                state = State.DONE;
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private String mutual(String idText, String challengeText, Map<String, String> response) {
        if (!credentials.mutual()) {
            return "mutual CHAP requested but the target has no mutual secret";
        }
        Long id = idText == null ? null : KeyRule.number(idText, 0, 255);
        byte[] theirs = challengeText == null ? null : binary(challengeText);
        if (id == null || theirs == null || theirs.length == 0) {
            return "mutual CHAP_I/CHAP_C malformed: " + idText + "/" + challengeText;
        }
        if (MessageDigest.isEqual(theirs, challenge)) {
            return "mutual CHAP_C repeats the target's challenge";
        }
        response.put("CHAP_N", credentials.mutualUser() == null ? "" : credentials.mutualUser());
        response.put("CHAP_R", "0x" + HexFormat.of().formatHex(md5(id.intValue(), credentials.mutualSecret(), theirs)));
        return null;
    }

    /** MD5(identifier || secret || challenge), RFC 1994 section 4.1. */
    public static byte[] md5(int identifier, String secret, byte[] challenge) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update((byte) identifier);
            md.update(secret.getBytes(StandardCharsets.UTF_8));
            md.update(challenge);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 missing from the JDK", e);
        }
    }

    /** A binary value: 0x-hex or 0b-base64 (RFC 7143 section 6.1); null when malformed. */
    public static byte[] binary(String v) {
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) {
                String hex = v.substring(2);
                return HexFormat.of().parseHex(hex.length() % 2 == 0 ? hex : "0" + hex);
            }
            if (v.startsWith("0b") || v.startsWith("0B")) {
                return Base64.getDecoder().decode(v.substring(2));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }
}
