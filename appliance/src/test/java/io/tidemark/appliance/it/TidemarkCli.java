package io.tidemark.appliance.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code tidemark} CLI (io.tidemark.appliance.Main with the test JVM's java and class
 * path, as the launcher runs it) against one appliance's admin endpoint. Thread-safe.
 */
final class TidemarkCli {

    private static final String MAIN_CLASS = "io.tidemark.appliance.Main";
    private static final Duration DEADLINE = Duration.ofMinutes(1);

    private final ApplianceProcess appliance;
    private final Path work;

    TidemarkCli(ApplianceProcess appliance, Path work) {
        this.appliance = appliance;
        this.work = work;
    }

    /** Runs {@code tidemark ARGS --admin 127.0.0.1:PORT}; never throws for a non-zero exit. */
    ToolRun run(String... args) {
        List<String> all = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS));
        all.addAll(List.of(args));
        all.addAll(List.of("--admin", ApplianceProcess.HOST + ":" + appliance.adminPort()));
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return ExternalTool.at(Path.of(java)).run(work, DEADLINE, Map.of(), all);
    }

    /** Runs it and fails unless it exits 0. */
    ToolRun succeed(String... args) {
        ToolRun run = run(args);
        if (!run.succeeded()) {
            throw new AssertionError("tidemark " + String.join(" ", args) + " failed: " + run.describe());
        }
        return run;
    }
}
