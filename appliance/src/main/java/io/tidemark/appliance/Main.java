package io.tidemark.appliance;

import io.tidemark.appliance.cli.AdminEndpoint;
import io.tidemark.appliance.cli.CheckpointCommand;
import io.tidemark.appliance.cli.CliException;
import io.tidemark.appliance.cli.GroupCommand;
import io.tidemark.appliance.cli.PeerCommand;
import io.tidemark.appliance.cli.PitCommand;
import io.tidemark.appliance.cli.PointsCommand;
import io.tidemark.appliance.cli.SessionCommand;
import io.tidemark.appliance.cli.StartCommand;
import io.tidemark.appliance.cli.TargetCommand;
import io.tidemark.appliance.cli.VolumeCommand;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code tidemark}: {@code start} runs the appliance; {@code volume}, {@code target},
 * {@code session}, {@code peer}, {@code group}, {@code checkpoint}, {@code points} and {@code pit}
 * talk to a running one over its admin API. Exit codes: 0 ok, 1 the command
 * failed (the reason is printed), 2 usage or configuration error.
 */
@Command(name = "tidemark", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "Tidemark 0.1.0",
        description = "iSCSI block-replication appliance for VM disaster recovery.",
        subcommands = {StartCommand.class, VolumeCommand.class, TargetCommand.class, SessionCommand.class,
                PeerCommand.class, GroupCommand.class, CheckpointCommand.class, PointsCommand.class, PitCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    @Option(names = "--admin", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT", defaultValue = AdminEndpoint.DEFAULT,
            converter = EndpointConverter.class, description = "Admin API of the appliance (default: ${DEFAULT-VALUE}).")
    private AdminEndpoint admin;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print the API's JSON instead of a table.")
    private boolean json;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "Bearer token when the appliance sets admin.token; for `peer pair`, the pairing token"
                    + " (then give the bearer token with --admin-token).")
    private String token;

    @Option(names = "--admin-token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "Bearer token when the appliance sets admin.token (default: --token, else $TIDEMARK_ADMIN_TOKEN).")
    private String adminToken;

    @Spec
    private CommandSpec spec;

    public AdminEndpoint admin() {
        return admin;
    }

    public boolean json() {
        return json;
    }

    /** The admin API's bearer token: --admin-token, else --token, else $TIDEMARK_ADMIN_TOKEN. */
    public String token() {
        return adminToken != null ? adminToken : token != null ? token : System.getenv("TIDEMARK_ADMIN_TOKEN");
    }

    /** The raw --token value: `peer pair` reads its pairing token from it. */
    public String tokenOption() {
        return token;
    }

    /** The bearer token for commands whose --token means something else: --admin-token or $TIDEMARK_ADMIN_TOKEN only. */
    public String adminTokenOnly() {
        return adminToken != null ? adminToken : System.getenv("TIDEMARK_ADMIN_TOKEN");
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command (expected: start, volume, target, session, peer, group, checkpoint, points or pit)");
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line with the given streams; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof CliException) {
                commandLine.getErr().println("error: " + e.getMessage());
            } else {
                commandLine.getErr().println("error: " + e);
            }
            commandLine.getErr().flush();
            return EXIT_FAILED;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Lets picocli report a bad --admin as a usage error. */
    static final class EndpointConverter implements CommandLine.ITypeConverter<AdminEndpoint> {
        @Override
        public AdminEndpoint convert(String value) {
            return AdminEndpoint.parse(value);
        }
    }
}
