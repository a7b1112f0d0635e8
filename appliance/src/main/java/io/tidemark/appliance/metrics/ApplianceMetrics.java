package io.tidemark.appliance.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidemark.appliance.volume.Volume;
import io.tidemark.appliance.volume.VolumeCatalog;
import java.util.List;
import java.util.function.Supplier;

/**
 * The appliance's Prometheus registry: JVM and process metrics, volume counts and sizes, iSCSI
 * sessions. Other modules (each volume's journal) add their meters through {@link #registry()},
 * so it exists before the volumes open; {@link #bind} adds the appliance's own once they are.
 * Thread-safe.
 */
public final class ApplianceMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile MultiGauge volumeSizes;
    private volatile VolumeCatalog catalog;

    /** A registry with the JVM and process meters only, for the journals to register in. */
    public ApplianceMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** A registry with every meter, bound to {@code catalog} at once. */
    public ApplianceMetrics(VolumeCatalog catalog, Supplier<Integer> sessions) {
        this();
        bind(catalog, sessions);
    }

    /**
     * Adds the volume and session meters; call once.
     *
     * @param sessions the number of logged-in iSCSI sessions, read at each scrape
     */
    public synchronized void bind(VolumeCatalog catalog, Supplier<Integer> sessions) {
        if (this.catalog != null) {
            throw new IllegalStateException("metrics already bound to the catalog of " + this.catalog.directory());
        }
        this.catalog = catalog;
        Gauge.builder("tidemark.volumes", catalog, VolumeCatalog::count)
                .description("Volumes served")
                .register(registry);
        Gauge.builder("tidemark.volumes.capacity", catalog, VolumeCatalog::totalBytes)
                .description("Sum of the capacities of all volumes")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("tidemark.iscsi.sessions", sessions, s -> s.get())
                .description("Logged-in iSCSI sessions, discovery sessions included")
                .strongReference(true) // gauges hold their object weakly: the lambda would be collected
                .register(registry);
        volumeSizes = MultiGauge.builder("tidemark.volume.size")
                .description("Capacity of each volume")
                .baseUnit("bytes")
                .register(registry);
    }

    /**
     * Adds the replication meters (the shippers' and histories' own, tagged by group, register
     * themselves in {@link #registry()}).
     *
     * @param groups   consistency groups: primaries served here plus replicas kept here
     * @param replicas groups replicated to this appliance
     * @param views    point-in-time views presented now
     */
    public void bindReplication(Supplier<Integer> groups, Supplier<Integer> replicas, Supplier<Integer> views) {
        Gauge.builder("tidemark.groups", groups, s -> s.get())
                .description("Consistency groups whose volumes are served here (role primary)")
                .strongReference(true)
                .register(registry);
        Gauge.builder("tidemark.replicas", replicas, s -> s.get())
                .description("Groups replicated to this appliance (role replica)")
                .strongReference(true)
                .register(registry);
        Gauge.builder("tidemark.views", views, s -> s.get())
                .description("Point-in-time views presented as read-only targets")
                .strongReference(true)
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        VolumeCatalog bound = catalog;
        if (bound == null) {
            return registry.scrape();
        }
        List<Volume> volumes = bound.list();
        volumeSizes.register(volumes.stream()
                .map(v -> MultiGauge.Row.of(Tags.of("volume", v.name(), "target", v.targetIqn()), v.sizeBytes()))
                .toList(), true);
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
