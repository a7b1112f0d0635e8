package io.tidemark.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code tidemark target list}. */
@Command(name = "target", description = "List targets and their LUNs.", subcommands = TargetCommand.ListTargets.class)
public final class TargetCommand implements java.util.concurrent.Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand (expected: list)");
    }

    @Command(name = "list", description = "List targets, their authentication and LUNs.")
    static final class ListTargets extends ApiCommand {
        @Override
        JsonNode request(AdminClient client) {
            return client.get("/api/v1/targets");
        }

        @Override
        String table(JsonNode answer) {
            return Listings.targets(answer);
        }
    }
}
