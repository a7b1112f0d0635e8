package io.tidemark.replicator.dr;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A replica's meters, tagged {@code group}: {@code tidemark.dr.window.oldest} and
 * {@code tidemark.dr.window.newest} (seconds since 1970 of the oldest and newest point),
 * {@code tidemark.dr.pinned.views}, {@code tidemark.dr.disk} (bytes: journal + index + base),
 * {@code tidemark.dr.records} (counter of records received). In Prometheus:
 * tidemark_dr_window_oldest_seconds, _newest_seconds, _pinned_views, _disk_bytes, _records_total.
 * Removes its meters on {@link #close()}. Thread-safe.
 */
final class DrMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter records;

    DrMetrics(MeterRegistry registry, String group, Supplier<HistoryStatus> status) {
        this.registry = registry;
        Tags tags = Tags.of("group", group);
        gauge("tidemark.dr.window.oldest", "Time of the oldest recovery point (unix seconds)", "seconds", tags,
                () -> {
                    HistoryStatus s = status.get();
                    return s.oldestTime() == null ? Double.NaN : s.oldestTime().toEpochMilli() / 1000.0;
                });
        gauge("tidemark.dr.window.newest", "Time of the newest durable record (unix seconds)", "seconds", tags,
                () -> {
                    HistoryStatus s = status.get();
                    return s.newestTime() == null ? Double.NaN : s.newestTime().toEpochMilli() / 1000.0;
                });
        gauge("tidemark.dr.pinned.views", "Open point-in-time views", null, tags, () -> status.get().pinnedViews());
        gauge("tidemark.dr.disk", "DR journal, index and base image bytes on disk", "bytes", tags,
                () -> status.get().diskBytes());
        records = Counter.builder("tidemark.dr.records").description("Records received and stored").tags(tags)
                .register(registry);
        meters.add(records);
    }

    private void gauge(String name, String description, String unit, Tags tags, Supplier<Number> value) {
        meters.add(Gauge.builder(name, value).description(description).baseUnit(unit).tags(tags).register(registry));
    }

    void recordStored() {
        records.increment();
    }

    @Override
    public void close() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
