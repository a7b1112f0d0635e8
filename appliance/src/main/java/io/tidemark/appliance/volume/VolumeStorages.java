package io.tidemark.appliance.volume;

import io.tidemark.appliance.config.ApplianceConfig;

/** Chooses the storage implementation behind volumes: the one switch to flip when stores change. */
public final class VolumeStorages {

    private VolumeStorages() {}

    public static VolumeStorage forConfig(ApplianceConfig.Store store) {
        return new BlockDeviceStorage(store.directIo());
    }
}
