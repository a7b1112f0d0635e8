package io.tidemark.iscsi.scsi;

import java.util.ArrayList;
import java.util.List;

/**
 * The CDB dispatch table: indexed by operation code, then by service action for the opcodes
 * that have them. Built once; read-only (and so thread-safe) afterwards.
 */
final class CommandTable {

    private static final int SERVICE_ACTIONS = 32;

    private final CommandSpec[] byOpcode = new CommandSpec[256];
    private final CommandSpec[][] byServiceAction = new CommandSpec[256][];

    CommandTable add(int opcode, String name, int flags, CommandHandler handler, int... usage) {
        return put(new CommandSpec(opcode, -1, name, handler, flags, bytes(usage)));
    }

    CommandTable addServiceAction(int opcode, int serviceAction, String name, int flags, CommandHandler handler,
                                  int... usage) {
        return put(new CommandSpec(opcode, serviceAction, name, handler, flags, bytes(usage)));
    }

    private CommandTable put(CommandSpec spec) {
        if (spec.usage().length == 0 || (spec.usage()[0] & 0xff) != spec.opcode()) {
            throw new IllegalArgumentException(spec.name() + ": usage data must start with the opcode");
        }
        if (spec.hasServiceAction()) {
            if (byOpcode[spec.opcode()] != null) {
                throw new IllegalArgumentException(spec.name() + ": opcode already has no service actions");
            }
            CommandSpec[] actions = byServiceAction[spec.opcode()];
            if (actions == null) {
                actions = byServiceAction[spec.opcode()] = new CommandSpec[SERVICE_ACTIONS];
            }
            actions[spec.serviceAction()] = spec;
        } else {
            if (byServiceAction[spec.opcode()] != null || byOpcode[spec.opcode()] != null) {
                throw new IllegalArgumentException(spec.name() + ": opcode registered twice");
            }
            byOpcode[spec.opcode()] = spec;
        }
        return this;
    }

    /**
     * The spec for a CDB; throws INVALID COMMAND OPERATION CODE for an unknown opcode and
     * INVALID FIELD IN CDB (byte 1) for an unknown service action of a known one.
     */
    CommandSpec lookup(byte[] cdb) {
        int opcode = cdb[0] & 0xff;
        CommandSpec spec = byOpcode[opcode];
        if (spec != null) {
            return spec;
        }
        CommandSpec[] actions = byServiceAction[opcode];
        if (actions == null) {
            throw CheckCondition.of(SenseCode.INVALID_COMMAND_OPERATION_CODE);
        }
        CommandSpec action = cdb.length > 1 ? actions[cdb[1] & 0x1f] : null;
        if (action == null) {
            throw CheckCondition.invalidCdbField(1, 4);
        }
        return action;
    }

    /** The spec for an opcode without service actions, or null. */
    CommandSpec plain(int opcode) {
        return byOpcode[opcode & 0xff];
    }

    /** True when the opcode is dispatched by service action. */
    boolean hasServiceActions(int opcode) {
        return byServiceAction[opcode & 0xff] != null;
    }

    /** The spec for an opcode and service action, or null. */
    CommandSpec withServiceAction(int opcode, int serviceAction) {
        CommandSpec[] actions = byServiceAction[opcode & 0xff];
        return actions == null || serviceAction < 0 || serviceAction >= SERVICE_ACTIONS ? null : actions[serviceAction];
    }

    /** Every command, in opcode then service-action order. */
    List<CommandSpec> all() {
        List<CommandSpec> out = new ArrayList<>();
        for (int op = 0; op < 256; op++) {
            if (byOpcode[op] != null) {
                out.add(byOpcode[op]);
            } else if (byServiceAction[op] != null) {
                for (CommandSpec s : byServiceAction[op]) {
                    if (s != null) {
                        out.add(s);
                    }
                }
            }
        }
        return out;
    }

    private static byte[] bytes(int[] values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
