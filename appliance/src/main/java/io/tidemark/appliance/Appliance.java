package io.tidemark.appliance;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.appliance.api.AdminApi;
import io.tidemark.appliance.api.PortalAddress;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.config.Sizes;
import io.tidemark.appliance.group.GroupCatalog;
import io.tidemark.appliance.group.GroupedStorage;
import io.tidemark.appliance.metrics.ApplianceMetrics;
import io.tidemark.appliance.replication.Protections;
import io.tidemark.appliance.replication.Replicas;
import io.tidemark.appliance.replication.Replication;
import io.tidemark.appliance.replication.ReplicationLink;
import io.tidemark.appliance.replication.Views;
import io.tidemark.replicator.dr.DrSettings;
import io.tidemark.replicator.ship.ReplicaReceiver;
import io.tidemark.appliance.volume.TargetProvisioner;
import io.tidemark.appliance.volume.VolumeCatalog;
import io.tidemark.appliance.volume.VolumeException;
import io.tidemark.appliance.volume.VolumeStorage;
import io.tidemark.appliance.volume.VolumeStorages;
import io.tidemark.iscsi.IscsiServer;
import io.tidemark.iscsi.IscsiSettings;
import io.tidemark.iscsi.TargetRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running appliance: journaled volumes on their targets, the iSCSI portal, the admin API and
 * metrics. {@link #close()} logs sessions out, drains, syncs and checkpoints every volume's
 * journal and closes its store, then stops.
 * Thread-safe; close is idempotent.
 */
public final class Appliance implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Appliance.class);

    private final ApplianceConfig config;
    /** What to close after the API, most recently started first. */
    private final List<AutoCloseable> stopOrder = new ArrayList<>();
    private final CompletableFuture<AdminApi> binding = new CompletableFuture<>();
    private VolumeCatalog catalog;
    private TargetRegistry targets;
    private Replication replication;
    private ReplicationLink link;
    private IscsiServer iscsi;
    private AdminApi api;
    private volatile PortalAddress portal;
    private boolean closed;
    private volatile boolean ready;

    private Appliance(ApplianceConfig config) {
        this.config = config;
    }

    /**
     * Opens (or creates) the volumes, starts the portal and the API, and logs one line starting
     * {@code Tidemark ready:}. On failure everything started so far is stopped again.
     */
    public static Appliance start(ApplianceConfig config) throws StartupException {
        return start(config, registry -> VolumeStorages.forConfig(config, registry));
    }

    /**
     * As {@link #start(ApplianceConfig)}, with the volume storage made by {@code storage} from the
     * metrics registry (created first, so the journals' meters are on {@code /metrics}).
     */
    public static Appliance start(ApplianceConfig config, Function<MeterRegistry, VolumeStorage> storage)
            throws StartupException {
        long t0 = System.nanoTime();
        Appliance a = new Appliance(config);
        try {
            a.startAll(storage);
        } catch (StartupException | RuntimeException e) {
            a.close();
            throw e;
        }
        a.ready = true;
        LOG.info("Tidemark ready: iSCSI portal {} (URLs use {}:{}), admin API http://{}:{}, replication port {} as {},"
                        + " {} volume(s) in {} ({} ms)",
                hostPort(a.iscsi.localAddress()), a.portal.host(), a.portal.port(), config.admin().address(),
                a.api.address().getPort(), hostPort(a.link.localAddress()), a.link.identity().name(), a.catalog.count(),
                config.volumesDir(), (System.nanoTime() - t0) / 1_000_000);
        return a;
    }

    private void startAll(Function<MeterRegistry, VolumeStorage> storage) throws StartupException {
        stopOrder.add(DataDirLock.acquire(config.dataDir()));
        ApplianceMetrics metrics = new ApplianceMetrics();
        stopOrder.add(0, metrics); // closed after the catalog, whose journals hold meters in it
        // the API's class loading takes about as long as the volumes and the portal: overlap them
        Thread binder = new Thread(() -> {
            try {
                AdminApi started = new AdminApi(config).start();
                if (!binding.complete(started)) {
                    started.close(); // the appliance was closed while the API was binding
                }
            } catch (Throwable e) {
                binding.completeExceptionally(e);
            }
        }, "tidemark-admin-start");
        binder.setDaemon(true);
        binder.start();

        TargetRegistry registry = new TargetRegistry();
        targets = registry;
        GroupedStorage grouped = new GroupedStorage(storage.apply(metrics.registry()), config.groupsDir(),
                config.store().directIo(), config.journal(), metrics.registry());
        stopOrder.add(0, grouped); // after the catalog: closes shared journals whose members never opened
        GroupCatalog groups;
        try {
            groups = GroupCatalog.load(config.groupsDir(), grouped);
        } catch (IOException | RuntimeException e) {
            throw new StartupException("cannot read the groups in " + config.groupsDir() + ": " + e.getMessage(), e);
        }
        TargetProvisioner provisioner = new TargetProvisioner(registry, config);
        try {
            catalog = VolumeCatalog.open(config.volumesDir(), grouped, provisioner);
        } catch (IOException | RuntimeException e) {
            throw new StartupException("cannot open the volumes in " + config.volumesDir() + ": " + e.getMessage(), e);
        }
        stopOrder.add(0, catalog);
        groups.attach(catalog);
        createDemoVolume();
        startReplication(groups, registry, metrics);

        ApplianceConfig.Iscsi ic = config.iscsi();
        IscsiSettings settings = new IscsiSettings(ic.address(), ic.port(), ic.portalGroupTag(), ic.advertisedHost())
                .withQueueDepth(ic.queueDepth())
                .withKeepaliveInterval(Duration.ofSeconds(ic.keepaliveSeconds()));
        if (ic.workerThreads() > 0) {
            settings = settings.withWorkerThreads(ic.workerThreads());
        }
        iscsi = new IscsiServer(registry, settings);
        try {
            iscsi.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while starting the iSCSI portal", e);
        } catch (Exception e) {
            // Netty's bind failures are IOExceptions thrown without being declared
            throw new StartupException("iSCSI portal " + ic.address() + ":" + ic.port() + ": " + reason(e), e);
        }
        stopOrder.add(0, this::closeIscsi);
        portal = PortalAddress.of(ic, iscsi.localAddress());

        metrics.bind(catalog, () -> iscsi.sessions().size());
        try {
            api = binding.join();
        } catch (CompletionException e) {
            throw new StartupException("admin API " + config.admin().address() + ":" + config.admin().port() + ": "
                    + reason(e.getCause()), e.getCause());
        }
        api.serve(new AdminApi.Services(catalog, registry, iscsi::sessions, portal, metrics, replication));
    }

    /**
     * The DR histories, the replication listener (identity and peers) and the shippers of
     * protected groups. Stops in reverse: listener, receiver sessions, shippers and views and
     * histories, all before the volumes' journals close.
     */
    private void startReplication(GroupCatalog groups, TargetRegistry registry, ApplianceMetrics metrics)
            throws StartupException {
        ApplianceConfig.Dr dr = config.dr();
        Replicas replicas;
        try {
            replicas = Replicas.open(config.replicasDir(), new DrSettings(dr.retention(), dr.sizeCap(),
                    dr.checkpointInterval()), metrics.registry(), name -> groups.find(name).isPresent());
        } catch (IOException | RuntimeException e) {
            throw new StartupException("cannot open the replicas in " + config.replicasDir() + ": " + e.getMessage(), e);
        }
        Views views = new Views(replicas, registry, config.iscsi(), () -> portal);
        metrics.bindReplication(groups::count, replicas::count, views::count);
        replication = new Replication(groups, null, null, replicas);
        stopOrder.add(0, () -> replication.close()); // shippers, views and histories stop before the journals close
        ReplicaReceiver receiver = new ReplicaReceiver(replicas, metrics.registry());
        stopOrder.add(0, receiver);
        ApplianceConfig.Replication rc = config.replication();
        ReplicationLink link;
        try {
            link = ReplicationLink.start(config, receiver);
        } catch (IOException | RuntimeException e) {
            throw new StartupException("replication port " + rc.address() + ":" + rc.port() + ": " + reason(e), e);
        }
        stopOrder.add(0, link);
        Protections protections = new Protections(groups, catalog, link::peer, link.connector(), rc, metrics.registry());
        replication = new Replication(groups, link, protections, replicas);
        protections.startAll();
        this.link = link;
    }

    private void createDemoVolume() throws StartupException {
        ApplianceConfig.Demo demo = config.demo();
        if (demo.sizeBytes() == 0 || catalog.count() > 0) {
            return;
        }
        try {
            catalog.create(demo.volume(), demo.sizeBytes(), null, null);
            LOG.info("demo volume {} ({}) created: the data dir held no volume", demo.volume(), Sizes.format(demo.sizeBytes()));
        } catch (VolumeException e) {
            throw new StartupException("cannot create the demo volume: " + e.getMessage(), e);
        }
    }

    private void closeIscsi() {
        int sessions = iscsi.sessions().size();
        LOG.info("stopping the iSCSI portal: logging out {} session(s)", sessions);
        iscsi.close();
    }

    public ApplianceConfig config() {
        return config;
    }

    public VolumeCatalog catalog() {
        return catalog;
    }

    /** Every target served: volumes' and point-in-time views'. */
    public TargetRegistry targets() {
        return targets;
    }

    public Replication replication() {
        return replication;
    }

    /** Where paired peers connect. */
    public InetSocketAddress replicationAddress() {
        return link.localAddress();
    }

    public InetSocketAddress adminAddress() {
        return api.address();
    }

    public InetSocketAddress iscsiAddress() {
        return iscsi.localAddress();
    }

    public PortalAddress portal() {
        return portal;
    }

    /** Stops the API, logs sessions out and closes the portal, flushes and closes the stores. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // the API goes first, so no change arrives while sessions log out and stores close
        binding.completeExceptionally(new IllegalStateException("closed before the admin API started"));
        AdminApi bound = binding.handle((b, failure) -> b).join();
        if (bound != null) {
            bound.close();
        }
        for (AutoCloseable c : stopOrder) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.error("shutdown step {} failed: {}", c.getClass().getSimpleName(), reason(e));
            }
        }
        if (ready) {
            LOG.info("Tidemark stopped");
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return root == e ? msg : e.getMessage() + " (" + msg + ")";
    }
}
