package io.tidemark.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tidemark points GROUP [--from T] [--to T]}. */
@Command(name = "points", description = "List the recovery points of a replicated group (on the DR appliance).")
public final class PointsCommand extends ApiCommand {

    @Parameters(paramLabel = "GROUP")
    String group;
    @Option(names = "--from", paramLabel = "TIME", description = "ISO-8601, e.g. 2026-11-22T03:00:00Z.")
    String from;
    @Option(names = "--to", paramLabel = "TIME", description = "ISO-8601.")
    String to;

    @Override
    JsonNode request(AdminClient client) {
        List<String> query = new ArrayList<>();
        if (from != null) {
            query.add("from=" + URLEncoder.encode(from, StandardCharsets.UTF_8));
        }
        if (to != null) {
            query.add("to=" + URLEncoder.encode(to, StandardCharsets.UTF_8));
        }
        return client.get(GroupCommand.GROUPS + "/" + segment(group) + "/points"
                + (query.isEmpty() ? "" : "?" + String.join("&", query)));
    }

    @Override
    String table(JsonNode answer) {
        return Listings.points(answer);
    }
}
