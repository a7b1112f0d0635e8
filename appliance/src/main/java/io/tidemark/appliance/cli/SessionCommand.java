package io.tidemark.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code tidemark session list}. */
@Command(name = "session", description = "List iSCSI sessions.", subcommands = SessionCommand.ListSessions.class)
public final class SessionCommand implements java.util.concurrent.Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand (expected: list)");
    }

    @Command(name = "list", description = "List logged-in iSCSI sessions, discovery sessions included.")
    static final class ListSessions extends ApiCommand {
        @Override
        JsonNode request(AdminClient client) {
            return client.get("/api/v1/sessions");
        }

        @Override
        String table(JsonNode answer) {
            return Listings.sessions(answer);
        }
    }
}
