package io.tidemark.appliance.cli;

import io.tidemark.appliance.Appliance;
import io.tidemark.appliance.Main;
import io.tidemark.appliance.StartupException;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.config.ConfigException;
import io.tidemark.appliance.config.ConfigKeys;
import io.tidemark.appliance.config.ConfigLoader;
import io.tidemark.appliance.config.ConfigLoader.FlagValue;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Spec;

/** {@code tidemark start}: runs one appliance in the foreground until SIGTERM or Ctrl-C. */
@Command(name = "start", description = "Run the appliance in the foreground (flags beat --config, which beats the defaults).")
public final class StartCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(StartCommand.class);
    /** Longest wait of a stop signal for start-up (journal replay included) before exiting anyway. */
    private static final int START_WAIT_SECONDS = 120;

    @Option(names = "--config", paramLabel = "FILE", description = "Config file of `key = value` lines.")
    Path config;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (data.dir).")
    String data;

    @Option(names = "--iscsi-port", paramLabel = "N", description = "iSCSI port (iscsi.port).")
    String iscsiPort;

    @Option(names = "--admin-port", paramLabel = "N", description = "Admin API port (admin.port).")
    String adminPort;

    @Option(names = "--replication-port", paramLabel = "N", description = "Port paired peers connect to (replication.port).")
    String replicationPort;

    @Spec
    CommandSpec spec;

    /** The flags as configuration values, so they are validated like the file's. */
    List<FlagValue> flags() {
        List<FlagValue> flags = new ArrayList<>();
        if (data != null) {
            flags.add(new FlagValue(ConfigKeys.DATA_DIR, data, "--data"));
        }
        if (iscsiPort != null) {
            flags.add(new FlagValue(ConfigKeys.ISCSI_PORT, iscsiPort, "--iscsi-port"));
        }
        if (adminPort != null) {
            flags.add(new FlagValue(ConfigKeys.ADMIN_PORT, adminPort, "--admin-port"));
        }
        if (replicationPort != null) {
            flags.add(new FlagValue(ConfigKeys.REPLICATION_PORT, replicationPort, "--replication-port"));
        }
        return flags;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        ApplianceConfig cfg;
        try {
            cfg = ConfigLoader.load(config, flags());
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.flush();
            return Main.EXIT_USAGE;
        }
        // signals are handled from here on, so a SIGTERM during start-up also ends with exit 0
        AtomicReference<Appliance> running = new AtomicReference<>();
        CountDownLatch startDone = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        ShutdownSignals.install(() -> {
            awaitStart(startDone);
            Appliance a = running.get();
            if (a != null) {
                a.close(); // drains every journal ring, syncs and checkpoints
            }
            stopped.countDown();
        });
        try {
            running.set(Appliance.start(cfg));
        } catch (StartupException e) {
            err.println("start failed: " + e.getMessage());
            err.flush();
            return Main.EXIT_FAILED;
        } finally {
            startDone.countDown();
        }
        stopped.await();
        return Main.EXIT_OK;
    }

    /** A stop signal during start-up waits for the volumes to open, so their journals close cleanly too. */
    private static void awaitStart(CountDownLatch startDone) {
        try {
            if (!startDone.await(START_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("stop requested while starting; start-up still running after {} s: exiting without closing"
                        + " the volumes (their journals recover at the next start)", START_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
