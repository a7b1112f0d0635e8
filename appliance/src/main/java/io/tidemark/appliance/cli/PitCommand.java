package io.tidemark.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tidemark pit export|release|list}. */
@Command(name = "pit", description = "Point-in-time views of replicated groups, as read-only LUNs (on the DR"
        + " appliance). Views last until released or until the appliance stops: they are released at shutdown.",
        subcommands = {PitCommand.Export.class, PitCommand.Release.class, PitCommand.ListViews.class})
public final class PitCommand implements java.util.concurrent.Callable<Integer> {

    static final String VIEWS = "/api/v1/views";

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand (expected: export, release or list)");
    }

    /** Exactly one way to name the point. */
    static final class Point {
        @Option(names = "--at", required = true, paramLabel = "TIME", description = "ISO-8601, e.g. 2026-11-22T03:00:00Z.")
        String at;
        @Option(names = "--checkpoint", required = true, paramLabel = "NAME", description = "A named checkpoint.")
        String checkpoint;
        @Option(names = "--seq", required = true, paramLabel = "N", description = "A sequence number.")
        Long seq;
    }

    @Command(name = "export", description = "Present every volume of GROUP as of a point as a read-only LUN, at once"
            + " (nothing is copied; the view pins its point against retention). Released at shutdown.")
    static final class Export extends ApiCommand {
        @Parameters(paramLabel = "GROUP")
        String group;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Point point;

        @Override
        JsonNode request(AdminClient client) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("group", group);
            if (point.at != null) {
                body.put("at", point.at);
            } else if (point.checkpoint != null) {
                body.put("checkpoint", point.checkpoint);
            } else {
                body.put("seq", point.seq);
            }
            return client.post(VIEWS, body);
        }

        @Override
        String table(JsonNode answer) {
            return Listings.view(answer);
        }
    }

    @Command(name = "release", description = "Remove a view: its target goes, its pin is released.")
    static final class Release extends ApiCommand {
        @Parameters(paramLabel = "VIEW")
        String view;

        @Override
        JsonNode request(AdminClient client) {
            client.delete(VIEWS + "/" + segment(view));
            return JsonNodeFactory.instance.objectNode().put("released", view);
        }

        @Override
        String table(JsonNode answer) {
            return "released view " + view + "\n";
        }
    }

    @Command(name = "list", description = "List the point-in-time views presented now.")
    static final class ListViews extends ApiCommand {
        @Override
        JsonNode request(AdminClient client) {
            return client.get(VIEWS);
        }

        @Override
        String table(JsonNode answer) {
            return Listings.views(answer);
        }
    }
}
