package io.tidemark.iscsi.scsi;

import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.iscsi.spi.LunDescriptor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the SCSI layer keeps per logical unit besides its blocks: unit attentions, the SPC-2
 * reservation, persistent reservations, changeable mode parameters and the last capacity
 * reported. Thread-safe.
 */
final class LogicalUnitState {

    final LunDescriptor descriptor;
    final LogicalUnit unit;
    final UnitAttentions unitAttentions = new UnitAttentions();
    final PersistentReservations persistentReservations;
    final CopyResults copyResults = new CopyResults();
    /** Write-protected medium (SPI {@link LogicalUnit#readOnly()}), fixed for the unit's lifetime. */
    final boolean readOnly;
    private final AtomicLong reportedBlockCount;
    // Mode page state: the caching page's WCE bit is the only changeable parameter.
    private volatile boolean writeCacheEnabled = true;
    // Written under the lock; volatile so the per-command conflict check reads it without one.
    private volatile ItNexus spc2Holder;

    LogicalUnitState(LunDescriptor descriptor) {
        this.descriptor = descriptor;
        this.unit = descriptor.unit();
        this.readOnly = unit.readOnly();
        this.persistentReservations = new PersistentReservations(unit.reservationState(), descriptor.name());
        this.reportedBlockCount = new AtomicLong(unit.blockCount());
    }

    int lun() {
        return descriptor.lun();
    }

    /**
     * Thin provisioning as reported (LBPME, provisioning VPD, UNMAP accepted): never on a
     * read-only unit, so initiators are not invited to unmap what they cannot change.
     */
    boolean thin() {
        return descriptor.thin() && !readOnly;
    }

    /** DATA PROTECT / WRITE PROTECTED for a command that would change a read-only medium. */
    void checkWritable(CommandSpec spec) {
        if (readOnly && spec.has(CommandSpec.WRITES_MEDIUM)) {
            throw CheckCondition.of(SenseCode.WRITE_PROTECTED);
        }
    }

    int blockSize() {
        return unit.blockSize();
    }

    /** True once per change of the unit's size: the caller establishes CAPACITY DATA HAS CHANGED. */
    boolean capacityChanged() {
        long now = unit.blockCount();
        long before = reportedBlockCount.get();
        return now != before && reportedBlockCount.compareAndSet(before, now);
    }

    boolean writeCacheEnabled() {
        return writeCacheEnabled;
    }

    void writeCacheEnabled(boolean enabled) {
        this.writeCacheEnabled = enabled;
    }

    /** RESERVE(6/10): conflict when another nexus holds it or a persistent reservation exists. */
    synchronized void reserve(ItNexus nexus) {
        if ((spc2Holder != null && !spc2Holder.equals(nexus)) || persistentReservations.hasRegistrations()) {
            throw CheckCondition.reservationConflict();
        }
        spc2Holder = nexus;
    }

    /** RELEASE(6/10): releases only the caller's own reservation; a no-op otherwise. */
    synchronized void release(ItNexus nexus) {
        if (nexus.equals(spc2Holder)) {
            spc2Holder = null;
        }
    }

    /** Drops the SPC-2 reservation (LU reset, target reset) or the one {@code nexus} holds (nexus loss). */
    synchronized void clearSpc2(ItNexus nexusOrNull) {
        if (nexusOrNull == null || nexusOrNull.equals(spc2Holder)) {
            spc2Holder = null;
        }
    }

    boolean spc2ReservedByOther(ItNexus nexus) {
        ItNexus holder = spc2Holder;
        return holder != null && !holder.equals(nexus);
    }

    /** Whether {@code spec} from {@code nexus} must end in RESERVATION CONFLICT. */
    boolean conflicts(ItNexus nexus, CommandSpec spec) {
        if (spc2ReservedByOther(nexus)) {
            return !spec.has(CommandSpec.SPC2_ALLOWED);
        }
        return persistentReservations.conflicts(nexus, spec);
    }
}
