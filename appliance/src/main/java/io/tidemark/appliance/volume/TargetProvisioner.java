package io.tidemark.appliance.volume;

import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the target nodes volumes are served from, with the CHAP, allow-list and alias that
 * the configuration gives {@code target.NAME.*}. Not thread-safe: the catalog serializes calls.
 */
public final class TargetProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TargetProvisioner.class);

    private final TargetRegistry registry;
    private final ApplianceConfig config;
    private final Set<String> configured = new HashSet<>();

    public TargetProvisioner(TargetRegistry registry, ApplianceConfig config) {
        this.registry = registry;
        this.config = config;
        configured.addAll(config.targets().keySet());
    }

    public TargetRegistry registry() {
        return registry;
    }

    public String iqn(String targetName) {
        return config.iscsi().targetIqn(targetName);
    }

    /** Creates the targets the configuration names, so they exist before any volume joins them. */
    public void provisionConfigured() {
        configured.forEach(this::nodeFor);
    }

    /** The node of target NAME, created on first use. */
    public TargetNode nodeFor(String targetName) {
        String iqn = iqn(targetName);
        return registry.target(iqn).orElseGet(() -> {
            ApplianceConfig.Target settings = config.target(targetName);
            ApplianceConfig.Chap chap = settings.chap();
            TargetNode node = registry.add(new TargetNode(iqn, settings.alias(),
                    chap == null ? null : new TargetNode.ChapCredentials(chap.user(), chap.secret(),
                            chap.mutualUser(), chap.mutualSecret()),
                    Set.copyOf(settings.allowedInitiators())));
            LOG.info("target {} created (auth {}, {})", iqn, chap == null ? "none" : chap.mutualSecret() == null
                    ? "CHAP" : "mutual CHAP", settings.allowedInitiators().isEmpty() ? "any initiator"
                    : settings.allowedInitiators().size() + " allowed initiator(s)");
            return node;
        });
    }

    /** Drops target NAME once it serves no LUN, unless the configuration names it. */
    public void releaseIfEmpty(String targetName) {
        if (configured.contains(targetName)) {
            return;
        }
        registry.target(iqn(targetName)).filter(node -> node.luns().isEmpty()).ifPresent(node -> {
            registry.remove(node.iqn());
            LOG.info("target {} removed (no LUNs left)", node.iqn());
        });
    }
}
