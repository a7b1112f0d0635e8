package io.tidemark.iscsi.scsi;

import io.tidemark.iscsi.spi.DurableState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistent reservations of one logical unit (SPC-4 5.13): registrations per I_T nexus, the
 * reservation and its type, the generation counter. Every change is written through
 * {@link DurableState} before the command completes, so registrations and the reservation
 * survive a restart. Thread-safe (every method synchronized).
 */
final class PersistentReservations {

    private static final Logger LOG = LoggerFactory.getLogger(PersistentReservations.class);

    static final int WRITE_EXCLUSIVE = 1;
    static final int EXCLUSIVE_ACCESS = 3;
    static final int WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 5;
    static final int EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 6;
    static final int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7;
    static final int EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 8;

    private static final int MAGIC = 0x54505231; // "TPR1"
    private static final int MAX_REGISTRATIONS = 256;

    /** A registered I_T nexus; {@code targetPort} is null when registered for all target ports. */
    record Registration(String initiatorPort, String targetPort, int relativePort, long key) {
        boolean matches(ItNexus nexus) {
            return initiatorPort.equals(nexus.initiatorPortName())
                    && (targetPort == null || targetPort.equals(nexus.targetPortName()));
        }
    }

    /** A unit attention to establish for every live nexus a registration matches. */
    record Notice(Registration registration, SenseCode code) {}

    private final DurableState store;
    private final String volume;
    private final List<Registration> registrations = new ArrayList<>();
    private int generation;
    private boolean aptpl;
    private int type; // 0: not reserved
    // Copy of type for the lock-free fast path of conflicts(); written (under the lock) on every change.
    private volatile int publishedType;
    private Registration holder; // null for the all-registrants types

    PersistentReservations(DurableState store, String volume) {
        this.store = store;
        this.volume = volume;
        load(store.load());
    }

    static boolean validType(int type) {
        return type == WRITE_EXCLUSIVE || type == EXCLUSIVE_ACCESS || (type >= 5 && type <= 8);
    }

    static boolean allRegistrants(int type) {
        return type == WRITE_EXCLUSIVE_ALL_REGISTRANTS || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    synchronized boolean hasRegistrations() {
        return !registrations.isEmpty();
    }

    synchronized int generation() {
        return generation;
    }

    synchronized boolean aptpl() {
        return aptpl;
    }

    /** SPC-4 table 66: whether the command conflicts with the reservation for this nexus. */
    boolean conflicts(ItNexus nexus, CommandSpec spec) {
        if (publishedType == 0 || !(spec.has(CommandSpec.PR_READ) || spec.has(CommandSpec.PR_WRITE))) {
            return false;
        }
        synchronized (this) {
            return type != 0 && conflictsLocked(nexus, spec);
        }
    }

    private boolean conflictsLocked(ItNexus nexus, CommandSpec spec) {
        Registration reg = find(nexus);
        if (isHolder(reg)) {
            return false;
        }
        boolean write = spec.has(CommandSpec.PR_WRITE);
        return switch (type) {
            case WRITE_EXCLUSIVE -> write;
            case EXCLUSIVE_ACCESS -> true;
            case WRITE_EXCLUSIVE_REGISTRANTS_ONLY, WRITE_EXCLUSIVE_ALL_REGISTRANTS -> reg == null && write;
            default -> reg == null;
        };
    }

    // ---- PERSISTENT RESERVE IN ----

    /** READ KEYS parameter data. */
    synchronized byte[] readKeys() {
        byte[] out = new byte[8 + 8 * registrations.size()];
        Cdb.putInt(out, 0, generation);
        Cdb.putInt(out, 4, 8 * registrations.size());
        for (int i = 0; i < registrations.size(); i++) {
            Cdb.putLong(out, 8 + 8 * i, registrations.get(i).key());
        }
        return out;
    }

    /** READ RESERVATION parameter data. */
    synchronized byte[] readReservation() {
        if (type == 0) {
            byte[] out = new byte[8];
            Cdb.putInt(out, 0, generation);
            return out;
        }
        byte[] out = new byte[24];
        Cdb.putInt(out, 0, generation);
        Cdb.putInt(out, 4, 16);
        Cdb.putLong(out, 8, holder == null ? 0 : holder.key());
        out[21] = (byte) type; // scope LU (0) in the high nibble
        return out;
    }

    /**
     * READ FULL STATUS parameter data.
     *
     * <pre>
     *  per registration: 0-7 key, 12 ALL_TG_PT(1) R_HOLDER(0), 13 scope|type,
     *  18-19 relative target port id, 20-23 TransportID length, 24.. iSCSI TransportID
     * </pre>
     */
    synchronized byte[] readFullStatus() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Registration r : registrations) {
            byte[] tid = transportId(r.initiatorPort());
            byte[] d = new byte[24 + tid.length];
            Cdb.putLong(d, 0, r.key());
            boolean holds = type != 0 && isHolder(r);
            d[12] = (byte) ((r.targetPort() == null ? 2 : 0) | (holds ? 1 : 0));
            d[13] = (byte) (holds ? type : 0);
            Cdb.putShort(d, 18, r.relativePort());
            Cdb.putInt(d, 20, tid.length);
            System.arraycopy(tid, 0, d, 24, tid.length);
            body.writeBytes(d);
        }
        byte[] out = new byte[8 + body.size()];
        Cdb.putInt(out, 0, generation);
        Cdb.putInt(out, 4, body.size());
        System.arraycopy(body.toByteArray(), 0, out, 8, body.size());
        return out;
    }

    /** iSCSI TransportID, format 01: {@code name,i,0xISID}, NUL-terminated, padded to 4 bytes. */
    static byte[] transportId(String initiatorPort) {
        byte[] name = initiatorPort.getBytes(StandardCharsets.UTF_8);
        int len = Math.max(20, (name.length + 1 + 3) & ~3);
        byte[] tid = new byte[4 + len];
        tid[0] = (byte) (0x40 | 0x05);
        Cdb.putShort(tid, 2, len);
        System.arraycopy(name, 0, tid, 4, name.length);
        return tid;
    }

    // ---- PERSISTENT RESERVE OUT ----

    synchronized List<Notice> register(ItNexus nexus, long key, long newKey, boolean ignoreExisting,
                                       boolean allTargetPorts, boolean activatePtpl, int relativePort) {
        Registration reg = find(nexus);
        List<Notice> notices = new ArrayList<>();
        if (reg == null) {
            if (!ignoreExisting && key != 0) {
                throw CheckCondition.reservationConflict();
            }
            if (newKey == 0) {
                return notices;
            }
            if (registrations.size() >= MAX_REGISTRATIONS) {
                throw CheckCondition.of(SenseCode.INSUFFICIENT_REGISTRATION_RESOURCES);
            }
            registrations.add(new Registration(nexus.initiatorPortName(),
                    allTargetPorts ? null : nexus.targetPortName(), relativePort, newKey));
        } else {
            if (!ignoreExisting && key != reg.key()) {
                throw CheckCondition.reservationConflict();
            }
            if (newKey == 0) {
                unregister(reg, notices);
            } else {
                Registration changed = new Registration(reg.initiatorPort(), reg.targetPort(), reg.relativePort(), newKey);
                registrations.set(registrations.indexOf(reg), changed);
                if (reg.equals(holder)) {
                    holder = changed;
                }
            }
        }
        aptpl = activatePtpl;
        generation++;
        persist();
        return notices;
    }

    synchronized void reserve(ItNexus nexus, long key, int newType) {
        Registration reg = registered(nexus, key);
        if (type != 0) {
            if (isHolder(reg) && type == newType) {
                return;
            }
            throw CheckCondition.reservationConflict();
        }
        type = newType;
        holder = allRegistrants(newType) ? null : reg;
        persist();
        LOG.info("volume {}: persistent reservation type {} taken by {}", volume, newType, nexus.initiatorPortName());
    }

    synchronized List<Notice> release(ItNexus nexus, long key, int releaseType) {
        Registration reg = registered(nexus, key);
        List<Notice> notices = new ArrayList<>();
        if (type == 0 || !isHolder(reg)) {
            return notices;
        }
        if (releaseType != type) {
            throw CheckCondition.of(SenseCode.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
        }
        releaseReservation(reg, notices);
        persist();
        return notices;
    }

    synchronized List<Notice> clear(ItNexus nexus, long key) {
        Registration reg = registered(nexus, key);
        List<Notice> notices = new ArrayList<>();
        for (Registration r : registrations) {
            if (!r.equals(reg)) {
                notices.add(new Notice(r, SenseCode.RESERVATIONS_PREEMPTED));
            }
        }
        registrations.clear();
        type = 0;
        holder = null;
        generation++;
        persist();
        return notices;
    }

    /** PREEMPT and PREEMPT AND ABORT (the abort part belongs to the caller). */
    synchronized List<Notice> preempt(ItNexus nexus, long key, long victimKey, int newType) {
        Registration reg = registered(nexus, key);
        List<Notice> notices = new ArrayList<>();
        boolean reservationPreempted;
        if (type == 0) {
            if (victimKey == 0) {
                throw CheckCondition.invalidParameter(8, -1);
            }
            reservationPreempted = false;
        } else if (allRegistrants(type)) {
            reservationPreempted = victimKey == 0;
        } else {
            if (victimKey == 0) {
                throw CheckCondition.invalidParameter(8, -1);
            }
            reservationPreempted = holder.key() == victimKey;
        }
        boolean removed = false;
        for (Registration r : new ArrayList<>(registrations)) {
            boolean victim = reservationPreempted && victimKey == 0 ? !r.equals(reg) : r.key() == victimKey && !r.equals(reg);
            if (victim) {
                registrations.remove(r);
                notices.add(new Notice(r, SenseCode.REGISTRATIONS_PREEMPTED));
                removed = true;
            }
        }
        if (!removed && !reservationPreempted) {
            throw CheckCondition.reservationConflict();
        }
        if (reservationPreempted) {
            boolean changed = type != newType;
            type = newType;
            holder = allRegistrants(newType) ? null : reg;
            if (changed) {
                for (Registration r : registrations) {
                    if (!r.equals(reg)) {
                        notices.add(new Notice(r, SenseCode.RESERVATIONS_RELEASED));
                    }
                }
            }
        }
        generation++;
        persist();
        return notices;
    }

    private Registration registered(ItNexus nexus, long key) {
        Registration reg = find(nexus);
        if (reg == null || reg.key() != key) {
            throw CheckCondition.reservationConflict();
        }
        return reg;
    }

    private void unregister(Registration reg, List<Notice> notices) {
        registrations.remove(reg);
        if (type != 0) {
            if (allRegistrants(type)) {
                if (registrations.isEmpty()) {
                    type = 0;
                }
            } else if (reg.equals(holder)) {
                releaseReservation(reg, notices);
            }
        }
    }

    private void releaseReservation(Registration releaser, List<Notice> notices) {
        if (type != WRITE_EXCLUSIVE && type != EXCLUSIVE_ACCESS) {
            for (Registration r : registrations) {
                if (!r.equals(releaser)) {
                    notices.add(new Notice(r, SenseCode.RESERVATIONS_RELEASED));
                }
            }
        }
        type = 0;
        holder = null;
    }

    private boolean isHolder(Registration reg) {
        return reg != null && (allRegistrants(type) || reg.equals(holder));
    }

    private Registration find(ItNexus nexus) {
        for (Registration r : registrations) {
            if (r.matches(nexus)) {
                return r;
            }
        }
        return null;
    }

    // ---- durable form ----

    private void persist() {
        publishedType = type;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(generation);
            out.writeBoolean(aptpl);
            out.writeByte(type);
            out.writeInt(holder == null ? -1 : registrations.indexOf(holder));
            out.writeInt(registrations.size());
            for (Registration r : registrations) {
                out.writeUTF(r.initiatorPort());
                out.writeBoolean(r.targetPort() != null);
                out.writeUTF(r.targetPort() == null ? "" : r.targetPort());
                out.writeShort(r.relativePort());
                out.writeLong(r.key());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store.store(bytes.toByteArray());
    }

    private void load(byte[] data) {
        if (data.length == 0) {
            return;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                LOG.warn("volume {}: persistent reservation state ignored: magic 0x{} (expected 0x{})",
                        volume, Integer.toHexString(magic), Integer.toHexString(MAGIC));
                return;
            }
            generation = in.readInt();
            aptpl = in.readBoolean();
            type = in.readByte();
            int holderIndex = in.readInt();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String initiator = in.readUTF();
                boolean specific = in.readBoolean();
                String target = in.readUTF();
                int rel = in.readShort() & 0xffff;
                registrations.add(new Registration(initiator, specific ? target : null, rel, in.readLong()));
            }
            holder = holderIndex >= 0 && holderIndex < n ? registrations.get(holderIndex) : null;
            if (type != 0 && (!validType(type) || (holder == null && !allRegistrants(type)))) {
                type = 0;
                holder = null;
            }
            publishedType = type;
        } catch (IOException e) {
            LOG.warn("volume {}: persistent reservation state ignored: {}", volume, e.toString());
            registrations.clear();
            type = 0;
            holder = null;
        }
    }
}
