package io.tidemark.appliance.config;

import java.util.regex.Pattern;

/** Naming and sizing rules shared by the config file, the API and the volume catalog. */
public final class Names {

    /** A volume or target name: also the tail of the target IQN and the volume's file names. */
    public static final Pattern VOLUME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    public static final String VOLUME_EXPECTED = "[a-z0-9][a-z0-9-]{0,62}";

    public static final int BLOCK_SIZE = 512;
    public static final long MIN_VOLUME_SIZE = 1L << 20;
    public static final long MAX_VOLUME_SIZE = 64L << 40;
    public static final String SIZE_EXPECTED = "a multiple of 512 bytes from 1M to 64T";

    private Names() {}

    public static boolean validVolumeName(String name) {
        return name != null && VOLUME.matcher(name).matches();
    }

    public static boolean validVolumeSize(long bytes) {
        return bytes >= MIN_VOLUME_SIZE && bytes <= MAX_VOLUME_SIZE && bytes % BLOCK_SIZE == 0;
    }
}
