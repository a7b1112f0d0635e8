package io.tidemark.iscsi.scsi;

import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.spi.LunDescriptor;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SPC-4 / SBC-3 device server of one target: dispatches CDBs through a {@link CommandTable}
 * to the LUNs of its {@link TargetNode}, applying unit attentions, reservations and write
 * protection (DATA PROTECT for a medium-changing command to a read-only LUN) first.
 * Thread-safe; shared by every session of the target.
 */
public final class ScsiTargetDevice implements ScsiExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(ScsiTargetDevice.class);

    private final TargetNode node;
    private final TargetRegistry registry;
    private final CommandTable table = new CommandTable();
    private final Set<ItNexus> nexuses = ConcurrentHashMap.newKeySet();
    // Copy-on-write snapshot of the node's LUNs, replaced under reconcileLock when they change.
    private volatile Map<Integer, LogicalUnitState> units = Map.of();
    private final Object reconcileLock = new Object();

    public ScsiTargetDevice(TargetNode node, TargetRegistry registry) {
        this.node = node;
        this.registry = registry;
        PrimaryCommands.register(table);
        BlockCommands.register(table);
        ProvisioningCommands.register(table);
        AtomicWriteCommands.register(table);
        DefectDataCommands.register(table);
        ModeCommands.register(table);
        ReservationCommands.register(table);
        CopyCommands.register(table);
        reconcile();
    }

    @Override
    public CompletableFuture<ScsiResponse> execute(ScsiCommand command) {
        CommandSpec spec = null;
        try {
            if (command.cdb().length == 0) {
                throw CheckCondition.of(SenseCode.INVALID_COMMAND_OPERATION_CODE);
            }
            ItNexus nexus = command.nexus();
            nexuses.add(nexus);
            reconcile();
            LogicalUnitState lu = units.get(command.lun());
            CheckCondition unknown = null;
            try {
                spec = table.lookup(command.cdb());
            } catch (CheckCondition e) {
                unknown = e;
            }
            if (lu == null) {
                if (spec == null || !spec.has(CommandSpec.ANY_LUN)) {
                    throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_SUPPORTED);
                }
            } else {
                if (lu.capacityChanged()) {
                    lu.unitAttentions.establishAll(nexuses, null, SenseCode.CAPACITY_DATA_HAS_CHANGED);
                    LOG.info("target {} volume {}: capacity now {} blocks", node.iqn(), lu.descriptor.name(),
                            lu.unit.blockCount());
                }
                if (spec == null || !spec.has(CommandSpec.UA_EXEMPT)) {
                    SenseCode ua = lu.unitAttentions.take(nexus);
                    if (ua != null) {
                        throw CheckCondition.of(ua);
                    }
                }
                if (unknown != null) {
                    throw unknown;
                }
                if (lu.conflicts(nexus, spec)) {
                    throw CheckCondition.reservationConflict();
                }
            }
            if (unknown != null) {
                throw unknown;
            }
            checkControlByte(command.cdb(), spec);
            if (lu != null) {
                lu.checkWritable(spec);
            }
            CommandSpec running = spec;
            return spec.handler().handle(new Task(command, lu, this))
                    .handle((response, failure) -> failure == null ? response : failed(command, running, failure));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(failed(command, spec, e));
        }
    }

    /** NACA set in the CONTROL byte asks for ACA, which this target does not offer (NormACA 0). */
    private static void checkControlByte(byte[] cdb, CommandSpec spec) {
        int control = spec.cdbLength() - 1;
        if (cdb.length > control && (cdb[control] & 0x04) != 0) {
            throw CheckCondition.invalidCdbField(control, 2);
        }
    }

    private ScsiResponse failed(ScsiCommand command, CommandSpec spec, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CheckCondition cc) {
            return cc.toResponse();
        }
        SenseCode code = spec == null ? SenseCode.INTERNAL_TARGET_FAILURE
                : spec.has(CommandSpec.DATA_OUT) ? SenseCode.WRITE_ERROR
                : spec.has(CommandSpec.MEDIA) ? SenseCode.UNRECOVERED_READ_ERROR
                : SenseCode.INTERNAL_TARGET_FAILURE;
        LOG.warn("target {} lun {} initiator {}: {} failed: {}", node.iqn(), command.lun(),
                command.nexus().initiatorName(), spec == null ? "command" : spec.name(), cause.toString());
        LOG.debug("target {}: failure detail", node.iqn(), cause);
        return CheckCondition.of(code).toResponse();
    }

    @Override
    public void reset(ItNexus nexus, Reset function, int lun) {
        reconcile();
        switch (function) {
            case ABORT_TASK_SET, CLEAR_TASK_SET ->
                    LOG.info("target {} lun {}: {} from {}", node.iqn(), lun, function, nexus.initiatorName());
            case LOGICAL_UNIT_RESET -> {
                LogicalUnitState lu = units.get(lun);
                if (lu != null) {
                    resetUnit(lu, SenseCode.BUS_DEVICE_RESET);
                }
                LOG.info("target {} lun {}: LOGICAL UNIT RESET from {}", node.iqn(), lun, nexus.initiatorName());
            }
            case TARGET_WARM_RESET, TARGET_COLD_RESET -> {
                for (LogicalUnitState lu : units.values()) {
                    resetUnit(lu, SenseCode.POWER_ON_RESET);
                }
                LOG.info("target {}: {} from {}", node.iqn(), function, nexus.initiatorName());
            }
        }
    }

    /** SAM-5 6.3.2: the reset releases the SPC-2 reservation and every nexus, the issuer too, gets a UA. */
    private void resetUnit(LogicalUnitState lu, SenseCode ua) {
        lu.clearSpc2(null);
        lu.unitAttentions.establishAll(nexuses, null, ua);
    }

    @Override
    public void nexusCreated(ItNexus nexus) {
        nexuses.add(nexus);
    }

    @Override
    public void nexusLost(ItNexus nexus) {
        nexuses.remove(nexus);
        for (LogicalUnitState lu : units.values()) {
            lu.unitAttentions.forget(nexus);
            lu.clearSpc2(nexus);
            lu.copyResults.forget(nexus);
        }
    }

    @Override
    public Iterable<LunDescriptor> luns() {
        return node.luns();
    }

    // ---- for the command handlers ----

    TargetNode node() {
        return node;
    }

    TargetRegistry registry() {
        return registry;
    }

    CommandTable table() {
        return table;
    }

    Set<ItNexus> nexuses() {
        return nexuses;
    }

    Collection<LogicalUnitState> units() {
        return units.values();
    }

    /** The state of a LUN of this target, or null. */
    LogicalUnitState unit(int lun) {
        return units.get(lun);
    }

    /** Establishes {@code code} on every live nexus that a persistent-reservation notice names. */
    void notify(LogicalUnitState lu, Iterable<PersistentReservations.Notice> notices) {
        for (PersistentReservations.Notice n : notices) {
            for (ItNexus nexus : nexuses) {
                if (n.registration().matches(nexus)) {
                    lu.unitAttentions.establish(nexus, n.code());
                }
            }
        }
    }

    /**
     * Brings the LUN snapshot in line with the node: new LUNs get state, removed ones lose it,
     * and every nexus gets REPORTED LUNS DATA HAS CHANGED on the LUNs that remain.
     */
    private void reconcile() {
        Collection<LunDescriptor> now = node.luns();
        if (matches(now, units)) {
            return;
        }
        synchronized (reconcileLock) {
            Map<Integer, LogicalUnitState> before = units;
            if (matches(now, before)) {
                return;
            }
            Map<Integer, LogicalUnitState> after = new HashMap<>();
            for (LunDescriptor d : now) {
                LogicalUnitState old = before.get(d.lun());
                after.put(d.lun(), old != null && old.descriptor == d ? old : new LogicalUnitState(d));
            }
            boolean first = before.isEmpty() && nexuses.isEmpty();
            units = Map.copyOf(after);
            if (!first) {
                for (LogicalUnitState lu : after.values()) {
                    lu.unitAttentions.establishAll(nexuses, null, SenseCode.REPORTED_LUNS_DATA_HAS_CHANGED);
                }
                LOG.info("target {}: LUNs now {}", node.iqn(), after.keySet());
            }
        }
    }

    private static boolean matches(Collection<LunDescriptor> now, Map<Integer, LogicalUnitState> known) {
        if (now.size() != known.size()) {
            return false;
        }
        for (LunDescriptor d : now) {
            LogicalUnitState s = known.get(d.lun());
            if (s == null || s.descriptor != d) {
                return false;
            }
        }
        return true;
    }
}
