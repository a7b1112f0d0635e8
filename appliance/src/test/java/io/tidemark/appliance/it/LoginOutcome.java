package io.tidemark.appliance.it;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a libiscsi tool's login ended, from its output: libiscsi prints e.g.
 * {@code Failed to log in to target. Status: Authentication failure(513)}.
 */
record LoginOutcome(boolean loggedIn, Optional<Integer> status, String output) {

    /** RFC 7143 login status 0x0201. */
    static final int AUTHENTICATION_FAILURE = 0x0201;
    /** RFC 7143 login status 0x0202. */
    static final int AUTHORIZATION_FAILURE = 0x0202;
    /** RFC 7143 login status 0x0203. */
    static final int NOT_FOUND = 0x0203;

    private static final Pattern STATUS = Pattern.compile("Status: [^\\n(]*\\((\\d+)\\)");

    static LoginOutcome of(ToolRun run) {
        Matcher status = STATUS.matcher(run.output());
        Optional<Integer> code = status.find() ? Optional.of(Integer.parseInt(status.group(1))) : Optional.empty();
        return new LoginOutcome(run.succeeded(), code, run.describe());
    }
}
