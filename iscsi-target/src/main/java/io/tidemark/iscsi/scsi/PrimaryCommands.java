package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.CommandSpec.ANY_LUN;
import static io.tidemark.iscsi.scsi.CommandSpec.PR_WRITE;
import static io.tidemark.iscsi.scsi.CommandSpec.SPC2_ALLOWED;
import static io.tidemark.iscsi.scsi.CommandSpec.UA_EXEMPT;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * SPC-4 commands that do not touch the medium: TEST UNIT READY, REQUEST SENSE, INQUIRY, REPORT
 * LUNS, START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL and the MAINTENANCE IN reports.
 * Stateless.
 */
final class PrimaryCommands {

    static final int TEST_UNIT_READY = 0x00;
    static final int REQUEST_SENSE = 0x03;
    static final int INQUIRY = 0x12;
    static final int START_STOP_UNIT = 0x1B;
    static final int PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1E;
    static final int REPORT_LUNS = 0xA0;
    static final int MAINTENANCE_IN = 0xA3;
    static final int REPORT_TARGET_PORT_GROUPS = 0x0A;
    static final int REPORT_SUPPORTED_OPERATION_CODES = 0x0C;
    static final int REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS = 0x0D;

    private PrimaryCommands() {
    }

    static void register(CommandTable t) {
        t.add(TEST_UNIT_READY, "TEST UNIT READY", 0, PrimaryCommands::testUnitReady,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x07);
        t.add(REQUEST_SENSE, "REQUEST SENSE", ANY_LUN | UA_EXEMPT | SPC2_ALLOWED, PrimaryCommands::requestSense,
                0x03, 0x01, 0x00, 0x00, 0xff, 0x07);
        t.add(INQUIRY, "INQUIRY", ANY_LUN | UA_EXEMPT | SPC2_ALLOWED, PrimaryCommands::inquiry,
                0x12, 0x01, 0xff, 0xff, 0xff, 0x07);
        t.add(START_STOP_UNIT, "START STOP UNIT", PR_WRITE, PrimaryCommands::startStopUnit,
                0x1B, 0x01, 0x00, 0x0f, 0xf7, 0x07);
        t.add(PREVENT_ALLOW_MEDIUM_REMOVAL, "PREVENT ALLOW MEDIUM REMOVAL", 0, PrimaryCommands::preventAllow,
                0x1E, 0x00, 0x00, 0x00, 0x03, 0x07);
        t.add(REPORT_LUNS, "REPORT LUNS", ANY_LUN | UA_EXEMPT | SPC2_ALLOWED, PrimaryCommands::reportLuns,
                0xA0, 0x00, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x07);
        t.addServiceAction(MAINTENANCE_IN, REPORT_TARGET_PORT_GROUPS, "REPORT TARGET PORT GROUPS", SPC2_ALLOWED,
                PrimaryCommands::reportTargetPortGroups,
                0xA3, 0xEA, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x07);
        t.addServiceAction(MAINTENANCE_IN, REPORT_SUPPORTED_OPERATION_CODES, "REPORT SUPPORTED OPERATION CODES",
                SPC2_ALLOWED, PrimaryCommands::reportSupportedOperationCodes,
                0xA3, 0x0C, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x07);
        t.addServiceAction(MAINTENANCE_IN, REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS,
                "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS", SPC2_ALLOWED, PrimaryCommands::reportSupportedTmfs,
                0xA3, 0x0D, 0x80, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x07);
    }

    private static CompletableFuture<ScsiResponse> testUnitReady(Task t) {
        return Task.good();
    }

    /** Returns, and clears, the oldest pending unit attention; else NO SENSE. */
    private static CompletableFuture<ScsiResponse> requestSense(Task t) {
        boolean descriptorFormat = Cdb.bit(t.cdb, 1, 0);
        SenseCode code;
        if (t.lu == null) {
            code = SenseCode.LOGICAL_UNIT_NOT_SUPPORTED;
        } else {
            SenseCode ua = t.lu.unitAttentions.take(t.nexus());
            code = ua != null ? ua : SenseCode.NO_ADDITIONAL_SENSE;
        }
        byte[] data;
        if (descriptorFormat) {
            data = new byte[8];
            data[0] = 0x72;
            data[1] = (byte) code.key();
            data[2] = (byte) code.asc();
            data[3] = (byte) code.ascq();
        } else {
            data = SenseData.of(code).build();
        }
        return Task.dataIn(data, t.cdbByte(4));
    }

    private static CompletableFuture<ScsiResponse> inquiry(Task t) {
        t.requireCdbLength(6);
        boolean evpd = Cdb.bit(t.cdb, 1, 0);
        int page = t.cdbByte(2);
        int allocation = Cdb.u16(t.cdb, 3);
        if (Cdb.bit(t.cdb, 1, 1)) {
            throw CheckCondition.invalidCdbField(1, 1);
        }
        if (!evpd) {
            if (page != 0) {
                throw CheckCondition.invalidCdbField(2, -1);
            }
            return Task.dataIn(InquiryData.standard(t.lu != null), allocation);
        }
        if (t.lu == null) {
            throw CheckCondition.of(SenseCode.LOGICAL_UNIT_NOT_SUPPORTED);
        }
        boolean thin = t.lu.thin();
        byte[] data = switch (page) {
            case 0x00 -> InquiryData.supportedPages();
            case 0x80 -> InquiryData.unitSerial(t.lu.descriptor.name());
            case 0x83 -> InquiryData.deviceIdentification(t.lu.descriptor.naaId(), t.nexus());
            case 0xB0 -> InquiryData.blockLimits(thin);
            case 0xB1 -> InquiryData.blockDeviceCharacteristics();
            case 0xB2 -> InquiryData.logicalBlockProvisioning(thin);
            default -> throw CheckCondition.invalidCdbField(2, -1);
        };
        return Task.dataIn(data, allocation);
    }

    /** Accepted: there is no motor or medium to start, stop or eject. */
    private static CompletableFuture<ScsiResponse> startStopUnit(Task t) {
        return Task.good();
    }

    /** Non-removable medium: allowing removal is a no-op, preventing it is not supported (SPC-4 6.13). */
    private static CompletableFuture<ScsiResponse> preventAllow(Task t) {
        if ((t.cdbByte(4) & 0x03) != 0) {
            throw CheckCondition.invalidCdbField(4, 0);
        }
        return Task.good();
    }

    /**
     * REPORT LUNS (SPC-4 6.33): 8-byte header (list length), then 8 bytes per LUN in
     * peripheral (LUN < 256) or flat (0x40) addressing.
     */
    private static CompletableFuture<ScsiResponse> reportLuns(Task t) {
        t.requireCdbLength(12);
        int select = t.cdbByte(2);
        long allocation = Cdb.u32(t.cdb, 6);
        if (select > 2) {
            throw CheckCondition.invalidCdbField(2, -1);
        }
        if (allocation < 16) {
            throw CheckCondition.invalidCdbField(6, -1);
        }
        List<Integer> luns = select == 1 ? List.of()
                : t.device.node().luns().stream().map(d -> d.lun()).toList();
        byte[] data = new byte[8 + 8 * luns.size()];
        Cdb.putInt(data, 0, 8 * luns.size());
        for (int i = 0; i < luns.size(); i++) {
            int lun = luns.get(i);
            if (lun < 256) {
                data[8 + 8 * i + 1] = (byte) lun;
            } else {
                Cdb.putShort(data, 8 + 8 * i, 0x4000 | lun);
            }
        }
        for (LogicalUnitState lu : t.device.units()) {
            lu.unitAttentions.clear(t.nexus(), SenseCode.REPORTED_LUNS_DATA_HAS_CHANGED);
        }
        return Task.dataIn(data, allocation);
    }

    /**
     * REPORT TARGET PORT GROUPS (SPC-4 6.36): one group, active/optimized, holding one relative
     * port per portal group tag seen on this target.
     */
    private static CompletableFuture<ScsiResponse> reportTargetPortGroups(Task t) {
        boolean extended = (t.cdbByte(1) >>> 5) == 1;
        long allocation = Cdb.u32(t.cdb, 6);
        TreeSet<Integer> ports = new TreeSet<>();
        ports.add(InquiryData.relativePort(t.nexus()));
        for (ItNexus n : t.device.nexuses()) {
            ports.add(InquiryData.relativePort(n));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int header = extended ? 8 : 4;
        out.writeBytes(new byte[header]);
        byte[] group = new byte[8];
        group[0] = (byte) 0x80; // PREF, state 0 = active/optimized
        group[1] = 0x01; // AO_SUP
        Cdb.putShort(group, 2, InquiryData.TARGET_PORT_GROUP);
        group[7] = (byte) ports.size();
        out.writeBytes(group);
        for (int p : ports) {
            byte[] port = new byte[4];
            Cdb.putShort(port, 2, p);
            out.writeBytes(port);
        }
        byte[] data = out.toByteArray();
        Cdb.putInt(data, 0, data.length - 4);
        if (extended) {
            data[4] = 0x10;
        }
        return Task.dataIn(data, allocation);
    }

    /** REPORT SUPPORTED OPERATION CODES (SPC-4 6.35), from the dispatch table. */
    private static CompletableFuture<ScsiResponse> reportSupportedOperationCodes(Task t) {
        boolean rctd = Cdb.bit(t.cdb, 2, 7);
        int options = t.cdbByte(2) & 0x07;
        int opcode = t.cdbByte(3);
        int serviceAction = Cdb.u16(t.cdb, 4);
        long allocation = Cdb.u32(t.cdb, 6);
        CommandTable table = t.device.table();
        if (options == 0) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(new byte[4]);
            for (CommandSpec s : table.all()) {
                byte[] d = new byte[8];
                d[0] = (byte) s.opcode();
                Cdb.putShort(d, 2, Math.max(0, s.serviceAction()));
                d[5] = (byte) ((rctd ? 0x02 : 0) | (s.hasServiceAction() ? 0x01 : 0));
                Cdb.putShort(d, 6, s.cdbLength());
                out.writeBytes(d);
                if (rctd) {
                    out.writeBytes(timeouts());
                }
            }
            byte[] data = out.toByteArray();
            Cdb.putInt(data, 0, data.length - 4);
            return Task.dataIn(data, allocation);
        }
        CommandSpec spec;
        if (options == 1 || (options == 3 && !table.hasServiceActions(opcode))) {
            if (table.hasServiceActions(opcode)) {
                throw CheckCondition.invalidCdbField(2, 0);
            }
            spec = table.plain(opcode);
        } else if (options == 2 || options == 3) {
            if (!table.hasServiceActions(opcode)) {
                throw CheckCondition.invalidCdbField(2, 0);
            }
            spec = table.withServiceAction(opcode, serviceAction);
        } else {
            throw CheckCondition.invalidCdbField(2, 0);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] head = new byte[4];
        if (spec == null) {
            head[1] = 0x01; // not supported
            out.writeBytes(head);
        } else {
            head[1] = (byte) ((rctd ? 0x80 : 0) | 0x03);
            Cdb.putShort(head, 2, spec.cdbLength());
            out.writeBytes(head);
            out.writeBytes(spec.usage());
            if (rctd) {
                out.writeBytes(timeouts());
            }
        }
        return Task.dataIn(out.toByteArray(), allocation);
    }

    /** Command timeouts descriptor: length 0x0A, nominal and recommended timeouts in seconds. */
    private static byte[] timeouts() {
        byte[] d = new byte[12];
        Cdb.putShort(d, 0, 0x0A);
        Cdb.putInt(d, 4, CommandSpec.NOMINAL_TIMEOUT_SECONDS);
        Cdb.putInt(d, 8, CommandSpec.NOMINAL_TIMEOUT_SECONDS);
        return d;
    }

    /** ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET, TARGET RESET. */
    private static CompletableFuture<ScsiResponse> reportSupportedTmfs(Task t) {
        boolean repd = Cdb.bit(t.cdb, 2, 7);
        byte[] data = new byte[repd ? 16 : 4];
        data[0] = (byte) 0xDA;
        if (repd) {
            data[3] = 0x0C;
        }
        return Task.dataIn(data, Cdb.u32(t.cdb, 6));
    }
}
