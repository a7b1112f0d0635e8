package io.tidemark.iscsi;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The iSCSI portal: accepts connections, runs login and full-feature phase, and hands SCSI
 * commands to each target's {@link io.tidemark.iscsi.scsi.ScsiExecutor}. Targets and LUNs
 * added to the registry while running are served at once.
 */
public final class IscsiServer implements AutoCloseable {

    private final TargetRegistry registry;
    private final IscsiSettings settings;

    public IscsiServer(TargetRegistry registry, IscsiSettings settings) {
        this.registry = registry;
        this.settings = settings;
    }

    /** Binds and starts serving; returns once listening. */
    public void start() throws InterruptedException {
        throw new IllegalStateException("not built yet: the protocol layer replaces this class body");
    }

    /** The bound address (useful with port 0). */
    public InetSocketAddress localAddress() {
        throw new IllegalStateException("not started");
    }

    /** The logged-in sessions, discovery sessions included. */
    public List<SessionInfo> sessions() {
        return List.of();
    }

    /** Asks every session to log out, waits briefly, then closes all connections and the port. */
    @Override
    public void close() {
    }
}
