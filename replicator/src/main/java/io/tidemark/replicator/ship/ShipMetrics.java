package io.tidemark.replicator.ship;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A group's shipping meters, tagged {@code group} (Prometheus names):
 * {@code tidemark_replication_lag_seconds}, {@code _lag_bytes}, {@code _shipped_bytes_total} (wire),
 * {@code _shipped_records_total}, {@code _compression_ratio}, {@code _sync_progress_ratio},
 * {@code _acked_sequence}, {@code _sync_degraded_total} (sync mode fell back to async).
 * Removes its meters on {@link #close()}. Thread-safe (Micrometer meters are).
 */
final class ShipMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final Tags tags;
    private final List<Meter> meters = new ArrayList<>();
    final Counter shippedBytes;
    final Counter shippedRecords;
    final Counter degraded;

    ShipMetrics(MeterRegistry registry, String group) {
        this.registry = registry;
        this.tags = Tags.of("group", group);
        shippedBytes = keep(Counter.builder("tidemark.replication.shipped").baseUnit("bytes")
                .description("Bytes of sealed records sent to the DR peer (wire)").tags(tags).register(registry));
        shippedRecords = keep(Counter.builder("tidemark.replication.shipped.records")
                .description("Records sent to the DR peer").tags(tags).register(registry));
        degraded = keep(Counter.builder("tidemark.replication.sync.degraded")
                .description("Times sync mode fell back to async after the sync timeout").tags(tags).register(registry));
    }

    void gauge(String name, String description, String baseUnit, Supplier<Number> value) {
        keep(Gauge.builder(name, value).description(description).baseUnit(baseUnit).tags(tags).strongReference(true)
                .register(registry));
    }

    private <M extends Meter> M keep(M meter) {
        meters.add(meter);
        return meter;
    }

    @Override
    public void close() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
