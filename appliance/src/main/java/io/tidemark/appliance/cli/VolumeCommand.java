package io.tidemark.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tidemark volume create|list|show|resize|delete}. */
@Command(name = "volume", description = "Create, list, resize and delete volumes.",
        subcommands = {VolumeCommand.Create.class, VolumeCommand.ListVolumes.class, VolumeCommand.Show.class,
                VolumeCommand.Resize.class, VolumeCommand.Delete.class})
public final class VolumeCommand implements java.util.concurrent.Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand (expected: create, list, show, resize or delete)");
    }

    static final String VOLUMES = "/api/v1/volumes";

    @Command(name = "create", description = "Create a sparse volume and serve it at once.")
    static final class Create extends ApiCommand {
        @Parameters(paramLabel = "NAME", description = "Volume name: [a-z0-9][a-z0-9-]{0,62}.")
        String name;
        @Option(names = "--size", required = true, paramLabel = "SIZE", description = "e.g. 10G (K/M/G/T suffixes).")
        String size;
        @Option(names = "--target", paramLabel = "T", description = "Serve it on target <iqn-prefix>:T (default: NAME).")
        String target;
        @Option(names = "--lun", paramLabel = "N", description = "LUN number (default: the lowest free one).")
        Integer lun;

        @Override
        JsonNode request(AdminClient client) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("size", size);
            if (target != null) {
                body.put("target", target);
            }
            if (lun != null) {
                body.put("lun", lun);
            }
            return client.post(VOLUMES, body);
        }

        @Override
        String table(JsonNode answer) {
            return Listings.volume(answer);
        }
    }

    @Command(name = "list", description = "List volumes with their iSCSI URLs.")
    static final class ListVolumes extends ApiCommand {
        @Override
        JsonNode request(AdminClient client) {
            return client.get(VOLUMES);
        }

        @Override
        String table(JsonNode answer) {
            return Listings.volumes(answer);
        }
    }

    @Command(name = "show", description = "Show one volume.")
    static final class Show extends ApiCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        JsonNode request(AdminClient client) {
            return client.get(VOLUMES + "/" + segment(name));
        }

        @Override
        String table(JsonNode answer) {
            return Listings.volume(answer);
        }
    }

    @Command(name = "resize", description = "Grow a volume (volumes never shrink); initiators see the new capacity.")
    static final class Resize extends ApiCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--size", required = true, paramLabel = "SIZE", description = "New size, e.g. 20G.")
        String size;

        @Override
        JsonNode request(AdminClient client) {
            return client.patch(VOLUMES + "/" + segment(name), Map.of("size", size));
        }

        @Override
        String table(JsonNode answer) {
            return Listings.volume(answer);
        }
    }

    @Command(name = "delete", description = "Stop serving a volume and delete its files.")
    static final class Delete extends ApiCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        JsonNode request(AdminClient client) {
            client.delete(VOLUMES + "/" + segment(name));
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("deleted", name);
        }

        @Override
        String table(JsonNode answer) {
            return "deleted volume " + name + "\n";
        }
    }
}
