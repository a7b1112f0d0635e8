package io.tidemark.appliance.api;

import java.util.List;

/**
 * A point-in-time view in API responses: one read-only target with one LUN per group volume.
 *
 * @param view     its name, GROUP-pit-N
 * @param time     ISO-8601 time of its point
 * @param volumes  one LUN per member volume (LUN = its position in the group)
 */
public record ViewInfo(String view, String group, long sequence, String time, List<Lun> volumes) {

    /**
     * @param target the view's target IQN
     * @param url    {@code iscsi://HOST:PORT/<target iqn>/<lun>}
     */
    public record Lun(String name, String target, int lun, String url) {}
}
