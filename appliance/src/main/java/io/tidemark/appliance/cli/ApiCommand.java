package io.tidemark.appliance.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tidemark.appliance.Main;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command answered by the admin API: prints the answer as a table, or as JSON with --json. */
abstract class ApiCommand implements Callable<Integer> {

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    /** Calls the API and returns its answer (null when it has no body). */
    abstract JsonNode request(AdminClient client);

    /** The table form of the answer. */
    abstract String table(JsonNode answer);

    @Override
    public Integer call() {
        Main globals = (Main) spec.root().userObject();
        JsonNode answer = request(new AdminClient(globals.admin(), bearer(globals)));
        PrintWriter out = spec.commandLine().getOut();
        out.print(globals.json() ? json(answer) : table(answer));
        out.flush();
        return Main.EXIT_OK;
    }

    /** The bearer token this command sends. */
    String bearer(Main globals) {
        return globals.token();
    }

    private static String json(JsonNode answer) {
        try {
            return PRETTY.writeValueAsString(answer) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Path segment for a user-typed name: the API refuses bad names, but the URL must stay well-formed. */
    static String segment(String name) {
        return java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

}
