package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.CommandSpec.DATA_OUT;
import static io.tidemark.iscsi.scsi.CommandSpec.SPC2_ALLOWED;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reservations: SPC-2 RESERVE/RELEASE(6/10) and PERSISTENT RESERVE IN/OUT (SPC-4 6.15, 6.16).
 * Stateless; the state lives in {@link LogicalUnitState} and {@link PersistentReservations}.
 */
final class ReservationCommands {

    static final int RESERVE_6 = 0x16;
    static final int RELEASE_6 = 0x17;
    static final int RESERVE_10 = 0x56;
    static final int RELEASE_10 = 0x57;
    static final int PERSISTENT_RESERVE_IN = 0x5E;
    static final int PERSISTENT_RESERVE_OUT = 0x5F;

    private static final int READ_KEYS = 0;
    private static final int READ_RESERVATION = 1;
    private static final int REPORT_CAPABILITIES = 2;
    private static final int READ_FULL_STATUS = 3;

    private static final int REGISTER = 0;
    private static final int RESERVE = 1;
    private static final int RELEASE = 2;
    private static final int CLEAR = 3;
    private static final int PREEMPT = 4;
    private static final int PREEMPT_AND_ABORT = 5;
    private static final int REGISTER_AND_IGNORE_EXISTING_KEY = 6;

    /** PERSISTENT RESERVE OUT basic parameter list length. */
    private static final int PROUT_PARAMETERS = 24;
    private static final int SPEC_I_PT = 0x08;
    private static final int ALL_TG_PT = 0x04;
    private static final int APTPL = 0x01;

    private ReservationCommands() {
    }

    static void register(CommandTable t) {
        t.add(RESERVE_6, "RESERVE(6)", 0, ReservationCommands::reserve, 0x16, 0x00, 0x00, 0x00, 0x00, 0x07);
        t.add(RELEASE_6, "RELEASE(6)", SPC2_ALLOWED, ReservationCommands::release, 0x17, 0x00, 0x00, 0x00, 0x00, 0x07);
        t.add(RESERVE_10, "RESERVE(10)", 0, ReservationCommands::reserve,
                0x56, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07);
        t.add(RELEASE_10, "RELEASE(10)", SPC2_ALLOWED, ReservationCommands::release,
                0x57, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07);
        int[] prin = {0x5E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x07};
        String[] prinNames = {"READ KEYS", "READ RESERVATION", "REPORT CAPABILITIES", "READ FULL STATUS"};
        for (int sa = READ_KEYS; sa <= READ_FULL_STATUS; sa++) {
            prin[1] = sa;
            t.addServiceAction(PERSISTENT_RESERVE_IN, sa, "PERSISTENT RESERVE IN/" + prinNames[sa], 0,
                    ReservationCommands::persistentReserveIn, prin.clone());
        }
        int[] prout = {0x5F, 0x00, 0xff, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x07};
        String[] proutNames = {"REGISTER", "RESERVE", "RELEASE", "CLEAR", "PREEMPT", "PREEMPT AND ABORT",
                "REGISTER AND IGNORE EXISTING KEY"};
        for (int sa = REGISTER; sa <= REGISTER_AND_IGNORE_EXISTING_KEY; sa++) {
            prout[1] = sa;
            t.addServiceAction(PERSISTENT_RESERVE_OUT, sa, "PERSISTENT RESERVE OUT/" + proutNames[sa], DATA_OUT,
                    ReservationCommands::persistentReserveOut, prout.clone());
        }
    }

    private static CompletableFuture<ScsiResponse> reserve(Task t) {
        if ((t.cdb[0] & 0xff) == RESERVE_10 && (t.cdbByte(1) & 0x12) != 0) {
            throw CheckCondition.invalidCdbField(1, 4); // third-party and long-id reservations
        }
        t.lu.reserve(t.nexus());
        return Task.good();
    }

    private static CompletableFuture<ScsiResponse> release(Task t) {
        if (t.lu.persistentReservations.hasRegistrations()) {
            throw CheckCondition.reservationConflict();
        }
        t.lu.release(t.nexus());
        return Task.good();
    }

    private static CompletableFuture<ScsiResponse> persistentReserveIn(Task t) {
        t.requireCdbLength(10);
        PersistentReservations pr = t.lu.persistentReservations;
        int allocation = Cdb.u16(t.cdb, 7);
        byte[] data = switch (t.cdbByte(1) & 0x1f) {
            case READ_KEYS -> pr.readKeys();
            case READ_RESERVATION -> pr.readReservation();
            case REPORT_CAPABILITIES -> capabilities(pr.aptpl());
            default -> pr.readFullStatus();
        };
        return Task.dataIn(data, allocation);
    }

    /**
     * REPORT CAPABILITIES: ATP_C and PTPL_C set, TMV with every type Windows clusters and
     * fence_scsi use.
     */
    private static byte[] capabilities(boolean aptpl) {
        byte[] d = new byte[8];
        Cdb.putShort(d, 0, 8);
        d[2] = ALL_TG_PT | APTPL;
        d[3] = (byte) (0x80 | (aptpl ? 1 : 0));
        d[4] = (byte) 0xEA; // WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX
        d[5] = 0x01; // EX_AC_AR
        return d;
    }

    /**
     * PERSISTENT RESERVE OUT with the basic parameter list:
     *
     * <pre>
     *  0-7 RESERVATION KEY  8-15 SERVICE ACTION RESERVATION KEY  20 SPEC_I_PT(3) ALL_TG_PT(2) APTPL(0)
     * </pre>
     */
    private static CompletableFuture<ScsiResponse> persistentReserveOut(Task t) {
        t.requireCdbLength(10);
        int action = t.cdbByte(1) & 0x1f;
        int scope = t.cdbByte(2) >>> 4;
        int type = t.cdbByte(2) & 0x0f;
        long length = Cdb.u32(t.cdb, 5);
        if (length != PROUT_PARAMETERS) {
            throw CheckCondition.of(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        }
        byte[] p = t.parameterList(PROUT_PARAMETERS);
        long key = Cdb.u64(p, 0);
        long actionKey = Cdb.u64(p, 8);
        int flags = p[20] & 0xff;
        if ((flags & SPEC_I_PT) != 0) {
            throw CheckCondition.invalidParameter(20, 3);
        }
        boolean typed = action == RESERVE || action == RELEASE || action == PREEMPT || action == PREEMPT_AND_ABORT;
        if (typed) {
            if (scope != 0) {
                throw CheckCondition.invalidCdbField(2, 7);
            }
            if (!PersistentReservations.validType(type)) {
                throw CheckCondition.invalidCdbField(2, 3);
            }
        }
        PersistentReservations pr = t.lu.persistentReservations;
        List<PersistentReservations.Notice> notices = switch (action) {
            case REGISTER, REGISTER_AND_IGNORE_EXISTING_KEY -> pr.register(t.nexus(), key, actionKey,
                    action == REGISTER_AND_IGNORE_EXISTING_KEY, (flags & ALL_TG_PT) != 0, (flags & APTPL) != 0,
                    InquiryData.relativePort(t.nexus()));
            case RESERVE -> {
                pr.reserve(t.nexus(), key, type);
                yield List.of();
            }
            case RELEASE -> pr.release(t.nexus(), key, type);
            case CLEAR -> pr.clear(t.nexus(), key);
            default -> pr.preempt(t.nexus(), key, actionKey, type);
        };
        t.device.notify(t.lu, notices);
        return Task.good();
    }
}
