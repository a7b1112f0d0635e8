package io.tidemark.appliance.replication;

import io.tidemark.appliance.api.PortalAddress;
import io.tidemark.appliance.api.ViewInfo;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.lun.ViewUnit;
import io.tidemark.appliance.volume.NaaId;
import io.tidemark.appliance.volume.VolumeException;
import io.tidemark.appliance.volume.VolumeException.Reason;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.spi.LunDescriptor;
import io.tidemark.replicator.dr.DrHistory;
import io.tidemark.replicator.dr.PitView;
import io.tidemark.replicator.ship.GroupDescriptor;
import io.tidemark.replicator.ship.VolumeDescriptor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Point-in-time views of replicas, each presented at once as one read-only target
 * {@code <iqn-prefix>:GROUP-pit-N} with one LUN per group volume (LUN = its position in the
 * group), served by {@link ViewUnit}s over one {@link PitView} that pins its point. Views live
 * in memory only: they are released at shutdown. Thread-safe.
 */
public final class Views implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Views.class);

    /** One presented view. */
    private record Presented(ViewInfo info, PitView view, List<ViewUnit> units) {}

    private final Replicas replicas;
    private final TargetRegistry targets;
    private final ApplianceConfig.Iscsi iscsi;
    private final Supplier<PortalAddress> portal;
    private final Map<String, Presented> views = new LinkedHashMap<>();
    private final Map<String, Integer> lastNumber = new HashMap<>();
    private boolean closed;

    /** @param portal where initiators reach the portal, for the views' URLs (known once the portal listens) */
    public Views(Replicas replicas, TargetRegistry targets, ApplianceConfig.Iscsi iscsi, Supplier<PortalAddress> portal) {
        this.replicas = replicas;
        this.targets = targets;
        this.iscsi = iscsi;
        this.portal = portal;
        replicas.attach(this);
    }

    /**
     * Presents replica GROUP as of exactly one of: the newest point at or before {@code at}, the
     * newest checkpoint named {@code checkpoint}, or sequence {@code seq}.
     */
    public synchronized ViewInfo export(String group, Instant at, String checkpoint, Long seq) {
        if (closed) {
            throw new VolumeException(Reason.CONFLICT, "the appliance is shutting down");
        }
        Replicas.Replica replica = replicas.replica(group);
        DrHistory history = replica.history();
        GroupDescriptor desc = replica.record().group();
        PitView view;
        try {
            long sequence = at != null ? history.resolveTime(at)
                    : checkpoint != null ? history.resolveCheckpoint(checkpoint)
                    : check(history, seq);
            view = history.openView(sequence);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new VolumeException(Reason.CONFLICT, e.getMessage(), e);
        }
        String name = nextName(group);
        String iqn = iscsi.targetIqn(name);
        TargetNode node = new TargetNode(iqn, "view of " + group + " at seq " + view.sequence(), null, Set.of());
        List<ViewUnit> units = new ArrayList<>();
        List<ViewInfo.Lun> luns = new ArrayList<>();
        PortalAddress at0 = portal.get();
        try {
            for (int lun = 0; lun < desc.volumes().size(); lun++) {
                VolumeDescriptor v = desc.volumes().get(lun);
                ViewUnit unit = new ViewUnit(view, v.volumeId(), ViewUnit.inMemoryReservations());
                units.add(unit);
                node.addLun(new LunDescriptor(lun, v.name(), NaaId.generate(), false, unit));
                luns.add(new ViewInfo.Lun(v.name(), iqn, lun, at0.url(iqn, lun)));
            }
            targets.add(node);
        } catch (RuntimeException e) {
            units.forEach(ViewUnit::close);
            view.close();
            throw new VolumeException(Reason.STORAGE, "view " + name + ": cannot present it: " + e.getMessage(), e);
        }
        ViewInfo info = new ViewInfo(name, group, view.sequence(), view.time().toString(), List.copyOf(luns));
        views.put(name, new Presented(info, view, units));
        LOG.info("view {} of group {} at seq {} ({}) presented as {} with {} LUN(s)", name, group, view.sequence(),
                view.time(), iqn, luns.size());
        return info;
    }

    public synchronized List<ViewInfo> list() {
        return views.values().stream().map(Presented::info).toList();
    }

    public synchronized int count() {
        return views.size();
    }

    /** Removes view NAME's target and releases its pin. */
    public synchronized void release(String name) {
        Presented p = views.remove(name);
        if (p == null) {
            throw new VolumeException(Reason.NOT_FOUND, "no view named " + name);
        }
        unpresent(p);
        LOG.info("view {} of group {} released", name, p.info().group());
    }

    /** Releases every view (views do not survive a restart). */
    @Override
    public synchronized void close() {
        closed = true;
        if (!views.isEmpty()) {
            LOG.info("releasing {} view(s) at shutdown: {}", views.size(), views.keySet());
        }
        views.values().forEach(this::unpresent);
        views.clear();
    }

    private void unpresent(Presented p) {
        targets.remove(iscsi.targetIqn(p.info().view()));
        p.units().forEach(ViewUnit::close);
        p.view().close();
    }

    private static long check(DrHistory history, Long seq) {
        history.checkSequence(seq);
        return seq;
    }

    /** GROUP-pit-N with N one past the last used for the group, skipping targets that exist. */
    private String nextName(String group) {
        int n = lastNumber.getOrDefault(group, 0);
        String name;
        do {
            n++;
            name = group + "-pit-" + n;
        } while (views.containsKey(name) || targets.target(iscsi.targetIqn(name)).isPresent());
        lastNumber.put(group, n);
        return name;
    }
}
