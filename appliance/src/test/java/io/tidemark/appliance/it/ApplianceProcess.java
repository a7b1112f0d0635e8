package io.tidemark.appliance.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A REAL appliance process ({@code io.tidemark.appliance.Main start}) on free ports, run with
 * the test JVM's java and class path, its output in a log file under the test's directory.
 * Not thread-safe: one test drives it.
 */
final class ApplianceProcess implements AutoCloseable {

    static final String IQN_PREFIX = "iqn.2026-11.io.tidemark";
    static final String HOST = "127.0.0.1";
    private static final String MAIN_CLASS = "io.tidemark.appliance.Main";

    /** Chronicle Queue's flags from deps.md (needed on 17 and 25). */
    private static final List<String> CHRONICLE_FLAGS = List.of(
            "-Dchronicle.analytics.disable=true",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED");
    /** deps.md: JDK 24+ only (the second flag stops JDK 17 from starting). */
    private static final List<String> JDK24_FLAGS = List.of(
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    private static final Duration START_DEADLINE = Duration.ofSeconds(120);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final int BIND_RETRIES = 3;

    /** Every process started since the current test class began, for log tails on failure. */
    private static final Set<ApplianceProcess> STARTED = ConcurrentHashMap.newKeySet();
    private static final Set<Process> ALIVE = ConcurrentHashMap.newKeySet();

    static {
        // a crashed or interrupted test run must not leave appliances holding ports
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALIVE.forEach(Process::destroyForcibly)));
    }

    private final Path workDir;
    private final Path dataDir;
    private final Path logFile;
    private final Path configFile;
    private BuildLayout launcher;
    private int iscsiPort;
    private int adminPort;
    private int replicationPort;
    private Process process;
    private int starts;

    private ApplianceProcess(Path workDir, Path configFile) {
        this.workDir = workDir;
        this.dataDir = workDir.resolve("data");
        this.logFile = workDir.resolve("appliance.log");
        this.configFile = configFile;
    }

    /** Starts an appliance with embedded defaults and waits until it is healthy. */
    static ApplianceProcess start(Path workDir) {
        return start(workDir, null);
    }

    /** Starts an appliance with this config file text (null: none) and waits until it is healthy. */
    static ApplianceProcess start(Path workDir, String configText) {
        ApplianceProcess appliance = prepare(workDir, configText);
        appliance.startWithFreshPorts();
        return appliance;
    }

    /** Starts an appliance through the repository's ./tidemark launcher (no build: mvn built it). */
    static ApplianceProcess startWithLauncher(Path workDir, BuildLayout layout) {
        ApplianceProcess appliance = prepare(workDir, null);
        appliance.launcher = layout;
        appliance.startWithFreshPorts();
        return appliance;
    }

    /** Writes the config file but starts nothing: for tests of start-up failures. */
    static ApplianceProcess prepare(Path workDir, String configText) {
        try {
            Files.createDirectories(workDir);
            Path config = null;
            if (configText != null) {
                config = workDir.resolve("tidemark.conf");
                Files.writeString(config, configText);
            }
            ApplianceProcess appliance = new ApplianceProcess(workDir, config);
            appliance.pickPorts();
            return appliance;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Set<ApplianceProcess> startedSinceClassStart() {
        return Set.copyOf(STARTED);
    }

    static void forgetStarted() {
        STARTED.clear();
    }

    /** Forgets processes that ended: what a previous test started and stopped. */
    static void forgetEnded() {
        STARTED.removeIf(appliance -> !appliance.isAlive());
    }

    int iscsiPort() {
        return iscsiPort;
    }

    int adminPort() {
        return adminPort;
    }

    /** The port paired peers dial (--replication-port): always a free one, never the default 3270. */
    int replicationPort() {
        return replicationPort;
    }

    /** host:port of the replication listener. */
    String replicationAddress() {
        return HOST + ":" + replicationPort;
    }

    Path dataDir() {
        return dataDir;
    }

    Path logFile() {
        return logFile;
    }

    Optional<Path> configFile() {
        return Optional.ofNullable(configFile);
    }

    /** host:port of the iSCSI portal. */
    String portal() {
        return HOST + ":" + iscsiPort;
    }

    /** iscsi://127.0.0.1:PORT (discovery URL). */
    String portalUrl() {
        return "iscsi://" + portal();
    }

    /** iscsi://127.0.0.1:PORT/IQN/LUN for this volume. */
    String lunUrl(Volume volume) {
        return portalUrl() + "/" + volume.targetIqn(IQN_PREFIX) + "/" + volume.lun();
    }

    ApplianceApi api() {
        return new ApplianceApi(HOST, adminPort);
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    private void startWithFreshPorts() {
        for (int attempt = 1; ; attempt++) {
            launch();
            try {
                awaitHealthy();
                return;
            } catch (AssertionError e) {
                boolean portTaken = !isAlive() && logText().contains("Address already in use");
                if (!portTaken || attempt == BIND_RETRIES) {
                    throw e;
                }
                pickPorts();
            }
        }
    }

    /** Starts the process again on the same data dir and ports (after a kill or a stop). */
    void restart() {
        if (isAlive()) {
            throw new IllegalStateException("appliance still running (pid " + process.pid() + ")");
        }
        launch();
        awaitHealthy();
    }

    /** Launches without waiting for health: for tests that expect start-up to fail. */
    void launch() {
        List<String> command = command();
        starts++;
        try {
            int shown = launcher != null ? 0 : command.indexOf(MAIN_CLASS);
            Files.writeString(logFile, "=== start #" + starts + " at " + Instant.now() + ": "
                            + String.join(" ", command.subList(shown, command.size())) + "\n",
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command);
            if (launcher != null) {
                builder.environment().putAll(launcherEnvironment(launcher));
            }
            process = builder
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + command, e);
        }
        ALIVE.add(process);
        STARTED.add(this);
    }

    /** The launcher's settings: use mvn's build folder, never build, same JDK as the test. */
    static java.util.Map<String, String> launcherEnvironment(BuildLayout layout) {
        return java.util.Map.of("TIDEMARK_BUILD", layout.build(), "TIDEMARK_NO_BUILD", "1",
                "JAVA_HOME", System.getProperty("java.home"));
    }

    private List<String> command() {
        List<String> command = new ArrayList<>();
        if (launcher != null) {
            command.add(launcher.launcher().toString());
        } else {
            command.add(ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(CHRONICLE_FLAGS);
            if (Runtime.version().feature() >= 24) {
                command.addAll(JDK24_FLAGS);
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(MAIN_CLASS);
        }
        command.add("start");
        if (configFile != null) {
            command.add("--config");
            command.add(configFile.toString());
        }
        command.addAll(List.of("--data", dataDir.toString(),
                "--iscsi-port", Integer.toString(iscsiPort),
                "--admin-port", Integer.toString(adminPort),
                "--replication-port", Integer.toString(replicationPort)));
        return command;
    }

    /** Polls GET /api/v1/health until 200, the process exits, or the deadline passes. */
    void awaitHealthy() {
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            try {
                ApplianceApi.Reply reply = api().health();
                if (reply.status() == 200) {
                    return;
                }
                last = "HTTP " + reply.status() + " " + reply.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (awaitExit(POLL_INTERVAL).isPresent()) {
                throw new AssertionError("appliance exited with status " + process.exitValue()
                        + " before GET /api/v1/health answered 200; log " + logFile + ":\n" + logTail(80));
            }
        }
        throw new AssertionError("GET http://" + HOST + ":" + adminPort + "/api/v1/health did not answer 200 within "
                + START_DEADLINE.toSeconds() + " s (last: " + last + "); log " + logFile + ":\n" + logTail(80));
    }

    /** Waits up to this long for the process to exit; its exit status if it did. */
    Optional<Integer> awaitExit(Duration timeout) {
        try {
            Process exited = process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            ALIVE.remove(exited);
            return Optional.of(exited.exitValue());
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends SIGTERM; returns the exit status, or empty if it is still running after the timeout. */
    Optional<Integer> terminate(Duration timeout) {
        process.destroy();
        return awaitExit(timeout);
    }

    /** kill -9, and waits until the process is gone. */
    void kill() {
        process.destroyForcibly();
        if (awaitExit(Duration.ofSeconds(30)).isEmpty()) {
            throw new AssertionError("appliance pid " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    String logText() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String logTail(int lines) {
        return ToolRun.tail(logText(), lines);
    }

    /** Stops it if still running (SIGTERM, then SIGKILL after 20 s). Never throws. */
    @Override
    public void close() {
        if (isAlive()) {
            process.destroy();
            if (awaitExit(Duration.ofSeconds(20)).isEmpty()) {
                process.destroyForcibly();
                awaitExit(Duration.ofSeconds(10));
            }
        }
    }

    /** Three distinct free ports (the kernel may hand out a just-closed port again). */
    private void pickPorts() {
        iscsiPort = freePort();
        do {
            adminPort = freePort();
        } while (adminPort == iscsiPort);
        do {
            replicationPort = freePort();
        } while (replicationPort == iscsiPort || replicationPort == adminPort);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    @Override
    public String toString() {
        return "appliance(iscsi " + iscsiPort + ", admin " + adminPort + ", replication " + replicationPort
                + ", log " + logFile + ")";
    }
}
