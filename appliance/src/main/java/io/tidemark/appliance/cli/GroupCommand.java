package io.tidemark.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tidemark group create|protect|status|list}. */
@Command(name = "group", description = "Consistency groups: create, protect (replicate to a peer), status, list.",
        subcommands = {GroupCommand.Create.class, GroupCommand.Protect.class, GroupCommand.Status.class,
                GroupCommand.ListGroups.class})
public final class GroupCommand implements java.util.concurrent.Callable<Integer> {

    static final String GROUPS = "/api/v1/groups";

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand (expected: create, protect, status or list)");
    }

    @Command(name = "create", description = "Move volumes into one group: one write order across all of them.")
    static final class Create extends ApiCommand {
        @Parameters(paramLabel = "GROUP", description = "Group name: [a-z0-9][a-z0-9-]{0,62}.")
        String name;
        @Option(names = "--volume", required = true, paramLabel = "NAME",
                description = "A member volume (repeat; the order is the LUN order of point-in-time views).")
        List<String> volumes;

        @Override
        JsonNode request(AdminClient client) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("volumes", volumes);
            return client.post(GROUPS, body);
        }

        @Override
        String table(JsonNode answer) {
            return Listings.group(answer);
        }
    }

    @Command(name = "protect", description = "Replicate a group to a paired peer; initial sync first, then every write.")
    static final class Protect extends ApiCommand {
        @Parameters(paramLabel = "GROUP")
        String name;
        @Option(names = "--peer", required = true, paramLabel = "NAME", description = "A paired peer (see `peer list`).")
        String peer;
        @Option(names = "--mode", paramLabel = "MODE", defaultValue = "async",
                description = "async (acknowledge after the local journal) or sync (after the peer's ack); default: ${DEFAULT-VALUE}.")
        String mode;

        @Override
        JsonNode request(AdminClient client) {
            return client.post(GROUPS + "/" + segment(name) + "/protect", Map.of("peer", peer, "mode", mode));
        }

        @Override
        String table(JsonNode answer) {
            return Listings.group(answer);
        }
    }

    @Command(name = "status", description = "State, initial sync progress and ETA, lag (RPO), DR window, sequences.")
    static final class Status extends ApiCommand {
        @Parameters(paramLabel = "GROUP")
        String name;

        @Override
        JsonNode request(AdminClient client) {
            return client.get(GROUPS + "/" + segment(name));
        }

        @Override
        String table(JsonNode answer) {
            return Listings.group(answer);
        }
    }

    @Command(name = "list", description = "List groups: primaries served here and replicas kept here.")
    static final class ListGroups extends ApiCommand {
        @Override
        JsonNode request(AdminClient client) {
            return client.get(GROUPS);
        }

        @Override
        String table(JsonNode answer) {
            return Listings.groups(answer);
        }
    }
}
