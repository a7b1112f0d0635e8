package io.tidemark.appliance.api;

import io.tidemark.iscsi.TargetNode;
import java.util.List;

/**
 * A target in API responses.
 *
 * @param auth              "none", "chap" or "mutual-chap"
 * @param allowedInitiators empty: every initiator
 */
public record TargetView(String iqn, String alias, String auth, List<String> allowedInitiators, List<Lun> luns) {

    /** One LUN of the target. */
    public record Lun(int lun, String volume, String url) {}

    public static TargetView of(TargetNode node, List<String> allowedInitiators, PortalAddress portal) {
        String auth = node.chap().map(c -> c.mutual() ? "mutual-chap" : "chap").orElse("none");
        List<Lun> luns = node.luns().stream()
                .map(l -> new Lun(l.lun(), l.name(), portal.url(node.iqn(), l.lun())))
                .toList();
        return new TargetView(node.iqn(), node.alias(), auth, allowedInitiators, luns);
    }
}
