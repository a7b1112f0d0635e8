package io.tidemark.appliance.volume;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidemark.appliance.config.ApplianceConfig;

/**
 * Chooses the storage implementation behind volumes: the one switch to flip when stores change.
 * Every volume is journaled; there is deliberately no way to serve one without its journal (its
 * unjournaled writes would be replaced by a stale journal tail at the next recovery, and never
 * replicated).
 */
public final class VolumeStorages {

    private VolumeStorages() {}

    public static VolumeStorage forConfig(ApplianceConfig config, MeterRegistry registry) {
        return new JournaledStorage(config.store().directIo(), config.journal(), registry);
    }
}
