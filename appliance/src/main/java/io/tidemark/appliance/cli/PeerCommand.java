package io.tidemark.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import io.tidemark.appliance.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tidemark peer token|pair|list|revoke}. */
@Command(name = "peer", description = "Pair with a peer appliance, list and revoke peers.",
        subcommands = {PeerCommand.Token.class, PeerCommand.Pair.class, PeerCommand.ListPeers.class,
                PeerCommand.Revoke.class})
public final class PeerCommand implements java.util.concurrent.Callable<Integer> {

    static final String PEERS = "/api/v1/peers";

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand (expected: token, pair, list or revoke)");
    }

    @Command(name = "token", description = "Print a one-time pairing token (on the DR appliance; valid 10 minutes, once).")
    static final class Token extends ApiCommand {
        @Override
        JsonNode request(AdminClient client) {
            return client.post(PEERS + "/token", Map.of());
        }

        @Override
        String table(JsonNode answer) {
            return answer.path("token").asText() + "\n";
        }
    }

    @Command(name = "pair", description = "Pair with the appliance that issued --token TOKEN (on the primary; pins its"
            + " certificate). Give the admin bearer token, if any, with --admin-token here.")
    static final class Pair extends ApiCommand {
        @Parameters(paramLabel = "NAME", description = "Name to know the peer by: [a-z0-9][a-z0-9-]{0,62}.")
        String name;
        @Option(names = "--address", required = true, paramLabel = "HOST:PORT", description = "The peer's replication port.")
        String address;
        // --token is the global option (its value is the pairing token here): picocli allows one --token per command
        String pairingToken;

        @Override
        String bearer(Main globals) {
            pairingToken = globals.tokenOption();
            return globals.adminTokenOnly();
        }

        @Override
        JsonNode request(AdminClient client) {
            if (pairingToken == null || pairingToken.isEmpty()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "Missing required option: '--token=TOKEN' (the token `tidemark peer token` printed on the peer)");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("address", address);
            body.put("token", pairingToken);
            return client.post(PEERS, body);
        }

        @Override
        String table(JsonNode answer) {
            return Listings.peers(JsonNodeFactory.instance.arrayNode().add(answer));
        }
    }

    @Command(name = "list", description = "List paired peers and their certificate fingerprints.")
    static final class ListPeers extends ApiCommand {
        @Override
        JsonNode request(AdminClient client) {
            return client.get(PEERS);
        }

        @Override
        String table(JsonNode answer) {
            return Listings.peers(answer);
        }
    }

    @Command(name = "revoke", description = "Unpin a peer: its connections drop, it gets nothing more.")
    static final class Revoke extends ApiCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        JsonNode request(AdminClient client) {
            client.delete(PEERS + "/" + segment(name));
            return JsonNodeFactory.instance.objectNode().put("revoked", name);
        }

        @Override
        String table(JsonNode answer) {
            return "revoked peer " + name + "\n";
        }
    }
}
