package io.tidemark.iscsi;

import io.tidemark.iscsi.spi.LunDescriptor;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** Every target this appliance serves, by IQN. Thread-safe. */
public final class TargetRegistry {

    private final ConcurrentSkipListMap<String, TargetNode> targets = new ConcurrentSkipListMap<>();

    public TargetNode add(TargetNode node) {
        if (targets.putIfAbsent(node.iqn(), node) != null) {
            throw new IllegalArgumentException("target " + node.iqn() + " already exists");
        }
        return node;
    }

    public Optional<TargetNode> remove(String iqn) {
        return Optional.ofNullable(targets.remove(iqn));
    }

    public Optional<TargetNode> target(String iqn) {
        return Optional.ofNullable(targets.get(iqn));
    }

    public Collection<TargetNode> targets() {
        return List.copyOf(targets.values());
    }

    /** Finds a LUN anywhere on the appliance by its NAA designator (EXTENDED COPY targets). */
    public Optional<LunDescriptor> lunByNaa(byte[] naaId) {
        for (TargetNode t : targets.values()) {
            for (LunDescriptor l : t.luns()) {
                if (Arrays.equals(l.naaId(), naaId)) {
                    return Optional.of(l);
                }
            }
        }
        return Optional.empty();
    }
}
