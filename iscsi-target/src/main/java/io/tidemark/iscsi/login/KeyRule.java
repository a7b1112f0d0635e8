package io.tidemark.iscsi.login;

import java.util.Arrays;
import java.util.List;

/**
 * How the responder's value follows from the offered one (RFC 7143 section 6.2.1 and 13).
 * Each rule returns the response value, or null when the offer is not admissible (the
 * caller answers {@code key=Reject}).
 */
public enum KeyRule {
    /** Boolean result: offered AND ours. */
    AND {
        @Override
        String respond(String offered, String ours, long min, long max) {
            Boolean b = bool(offered);
            return b == null ? null : yesNo(b && "Yes".equals(ours));
        }
    },
    /** Boolean result: offered OR ours. */
    OR {
        @Override
        String respond(String offered, String ours, long min, long max) {
            Boolean b = bool(offered);
            return b == null ? null : yesNo(b || "Yes".equals(ours));
        }
    },
    /** Numeric result: the smaller of offered and ours. */
    MIN {
        @Override
        String respond(String offered, String ours, long min, long max) {
            Long n = number(offered, min, max);
            return n == null ? null : Long.toString(Math.min(n, Long.parseLong(ours)));
        }
    },
    /** Numeric result: the larger of offered and ours. */
    MAX {
        @Override
        String respond(String offered, String ours, long min, long max) {
            Long n = number(offered, min, max);
            return n == null ? null : Long.toString(Math.max(n, Long.parseLong(ours)));
        }
    },
    /** The first value of the offered list that we support (ours: comma-separated). */
    LIST {
        @Override
        String respond(String offered, String ours, long min, long max) {
            List<String> supported = Arrays.asList(ours.split(","));
            for (String v : offered.split(",")) {
                if (supported.contains(v)) {
                    return v;
                }
            }
            return null;
        }
    },
    /** Declarative: each side states its own value; no answer, the offer is only checked. */
    DECLARATIVE {
        @Override
        String respond(String offered, String ours, long min, long max) {
            return max == 0 || number(offered, min, max) != null ? "" : null;
        }
    };

    abstract String respond(String offered, String ours, long min, long max);

    static Boolean bool(String v) {
        return switch (v) {
            case "Yes" -> Boolean.TRUE;
            case "No" -> Boolean.FALSE;
            default -> null;
        };
    }

    static String yesNo(boolean b) {
        return b ? "Yes" : "No";
    }

    /** A decimal or 0x-hex number within min..max, else null. */
    static Long number(String v, long min, long max) {
        try {
            long n = v.startsWith("0x") || v.startsWith("0X") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
            return n >= min && n <= max ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
