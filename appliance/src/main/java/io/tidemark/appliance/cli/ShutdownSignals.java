package io.tidemark.appliance.cli;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT stop the appliance cleanly and exit 0 (the JVM's default would exit 143);
 * a shutdown hook covers every other way out.
 */
final class ShutdownSignals {

    private ShutdownSignals() {}

    static void install(Runnable shutdown) {
        AtomicBoolean started = new AtomicBoolean();
        Runnable onSignal = () -> {
            if (started.compareAndSet(false, true)) {
                Thread t = new Thread(() -> {
                    shutdown.run();
                    System.exit(0);
                }, "tidemark-shutdown");
                t.start();
            }
        };
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), s -> onSignal.run());
            } catch (IllegalArgumentException unsupported) {
                // e.g. under -Xrs: the shutdown hook below still stops the appliance
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "tidemark-shutdown-hook"));
    }
}
