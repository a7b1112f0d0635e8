package io.tidemark.journal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A group's journal meters, tagged {@code group} (and {@code volume} where per volume):
 * <ul>
 * <li>{@code tidemark.journal.appends} / {@code tidemark.journal.appended.bytes} (counters: rate() = per second)
 * <li>{@code tidemark.journal.batch.records} (summary: records per group commit)
 * <li>{@code tidemark.journal.fdatasync} (timer)
 * <li>{@code tidemark.journal.ring.occupancy} / {@code tidemark.journal.ring.capacity} (gauges)
 * <li>{@code tidemark.journal.disk.bytes}, {@code tidemark.journal.cycles} (gauges)
 * <li>{@code tidemark.journal.sequence} with {@code state} = appended | durable | applied | checkpointed
 * <li>{@code tidemark.journal.records.corrupt} (counter: torn/corrupt records cut off at recovery)
 * <li>{@code tidemark.journal.retention.forced.cycles} / {@code .forced.records} (counters: given up at the size cap)
 * </ul>
 * Removes its meters on {@link #close()}. Thread-safe (Micrometer meters are).
 */
final class JournalMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final Tags groupTags;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter[] appends;
    private final Counter[] bytes;
    private final DistributionSummary batch;
    private final Timer sync;
    private final Counter corrupt;
    private final Counter forcedCycles;
    private final Counter forcedRecords;

    JournalMetrics(MeterRegistry registry, String group, List<GroupVolume> volumes) {
        this.registry = registry;
        this.groupTags = Tags.of("group", group);
        appends = new Counter[volumes.size()];
        bytes = new Counter[volumes.size()];
        for (int i = 0; i < volumes.size(); i++) {
            Tags tags = groupTags.and("volume", volumes.get(i).name());
            appends[i] = keep(Counter.builder("tidemark.journal.appends").description("Records appended to the journal")
                    .tags(tags).register(registry));
            bytes[i] = keep(Counter.builder("tidemark.journal.appended.bytes").description("Record bytes appended")
                    .baseUnit("bytes").tags(tags).register(registry));
        }
        batch = keep(DistributionSummary.builder("tidemark.journal.batch.records")
                .description("Records per group commit (one ring batch)").tags(groupTags).register(registry));
        sync = keep(Timer.builder("tidemark.journal.fdatasync").description("Time to make the journal durable")
                .tags(groupTags).register(registry));
        corrupt = keep(Counter.builder("tidemark.journal.records.corrupt")
                .description("Torn or corrupt records found at recovery, cut off and not applied").tags(groupTags)
                .register(registry));
        forcedCycles = keep(Counter.builder("tidemark.journal.retention.forced.cycles")
                .description("Cycle files deleted at the size cap although a consumer or the retention window wanted them")
                .tags(groupTags).register(registry));
        forcedRecords = keep(Counter.builder("tidemark.journal.retention.forced.records")
                .description("Records given up at the size cap that a consumer had not yet acknowledged")
                .tags(groupTags).register(registry));
    }

    void gauge(String name, String description, String baseUnit, Tags extraTags, Supplier<Number> value) {
        keep(Gauge.builder(name, value).description(description).baseUnit(baseUnit).tags(groupTags.and(extraTags))
                .strongReference(true).register(registry));
    }

    void appended(int volumeSlot, int recordBytes) {
        appends[volumeSlot].increment();
        bytes[volumeSlot].increment(recordBytes);
    }

    void batch(int records) {
        batch.record(records);
    }

    void syncDone(long nanos) {
        sync.record(nanos, TimeUnit.NANOSECONDS);
    }

    void corruptRecord() {
        corrupt.increment();
    }

    void forcedTrim(long records) {
        forcedCycles.increment();
        forcedRecords.increment(records);
    }

    private <M extends Meter> M keep(M meter) {
        meters.add(meter);
        return meter;
    }

    @Override
    public void close() {
        for (Meter meter : meters) {
            registry.remove(meter);
        }
        meters.clear();
    }
}
