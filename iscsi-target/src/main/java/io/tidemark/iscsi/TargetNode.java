package io.tidemark.iscsi;

import io.tidemark.iscsi.spi.LunDescriptor;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One iSCSI target: its name, its LUNs (which may be added and removed while sessions run),
 * and who may log in. Thread-safe.
 */
public final class TargetNode {

    private final String iqn;
    private final String alias;
    private final ChapCredentials chap;
    private final Set<String> allowedInitiators;
    private final ConcurrentSkipListMap<Integer, LunDescriptor> luns = new ConcurrentSkipListMap<>();

    /**
     * @param chap              null for AuthMethod=None
     * @param allowedInitiators initiator IQNs allowed to log in; empty means everyone
     */
    public TargetNode(String iqn, String alias, ChapCredentials chap, Set<String> allowedInitiators) {
        this.iqn = iqn;
        this.alias = alias;
        this.chap = chap;
        this.allowedInitiators = Set.copyOf(allowedInitiators);
    }

    public String iqn() {
        return iqn;
    }

    public String alias() {
        return alias;
    }

    public Optional<ChapCredentials> chap() {
        return Optional.ofNullable(chap);
    }

    public boolean allows(String initiatorIqn) {
        return allowedInitiators.isEmpty() || allowedInitiators.contains(initiatorIqn);
    }

    public void addLun(LunDescriptor lun) {
        if (luns.putIfAbsent(lun.lun(), lun) != null) {
            throw new IllegalArgumentException("LUN " + lun.lun() + " already exists on " + iqn);
        }
    }

    public Optional<LunDescriptor> removeLun(int lun) {
        return Optional.ofNullable(luns.remove(lun));
    }

    public Optional<LunDescriptor> lun(int lun) {
        return Optional.ofNullable(luns.get(lun));
    }

    /** A snapshot in LUN order. */
    public Collection<LunDescriptor> luns() {
        return List.copyOf(luns.values());
    }

    /**
     * CHAP secrets for this target.
     *
     * @param user           the name the initiator must present (CHAP_N)
     * @param secret         the initiator's secret
     * @param mutualUser     the name the target presents for mutual CHAP, or null
     * @param mutualSecret   the target's secret for mutual CHAP, or null
     */
    public record ChapCredentials(String user, String secret, String mutualUser, String mutualSecret) {
        public boolean mutual() {
            return mutualSecret != null;
        }
    }
}
