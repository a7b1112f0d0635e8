package io.tidemark.iscsi.login;

import java.util.Map;

/**
 * The target's answer to one Login Request.
 *
 * @param status   SUCCESS, or why the login failed (the connection then closes)
 * @param transit  T bit of the response
 * @param csg      current stage
 * @param nsg      next stage (meaningful with transit)
 * @param keys     key=value pairs to send
 * @param complete the login has reached full feature phase
 * @param reason   for a failure: one line for the log naming value and limit
 */
public record LoginStep(LoginStatus status, boolean transit, int csg, int nsg, Map<String, String> keys,
                        boolean complete, String reason) {

    public static LoginStep failed(LoginStatus status, int csg, String reason) {
        return new LoginStep(status, false, csg, 0, Map.of(), false, reason);
    }

    public boolean failed() {
        return status != LoginStatus.SUCCESS;
    }
}
