package io.tidemark.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tidemark checkpoint create GROUP NAME}. */
@Command(name = "checkpoint", description = "Named recovery points.", subcommands = CheckpointCommand.Create.class)
public final class CheckpointCommand implements java.util.concurrent.Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand (expected: create)");
    }

    @Command(name = "create", description = "Set a named checkpoint in a protected group's stream (on the primary,"
            + " e.g. right after a guest quiesce); the DR side can export a view at it.")
    static final class Create extends ApiCommand {
        @Parameters(index = "0", paramLabel = "GROUP")
        String group;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        JsonNode request(AdminClient client) {
            return client.post(GroupCommand.GROUPS + "/" + segment(group) + "/checkpoints", Map.of("name", name));
        }

        @Override
        String table(JsonNode answer) {
            return new Table("CHECKPOINT", "SEQUENCE", "TIME")
                    .row(answer.path("name").asText(), answer.path("sequence").asLong(), answer.path("time").asText())
                    .render();
        }
    }
}
