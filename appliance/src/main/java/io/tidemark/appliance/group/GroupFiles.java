package io.tidemark.appliance.group;

import java.nio.file.Path;

/**
 * The files of one group on the primary: {@code groups/GROUP.json} (metadata), the shared
 * journal {@code groups/GROUP.journal/} and, once protected, the data key {@code groups/GROUP.key} (mode 600).
 */
public record GroupFiles(Path dir, String name) {

    public static final String METADATA_SUFFIX = ".json";

    public Path metadata() {
        return dir.resolve(name + METADATA_SUFFIX);
    }

    public Path journal() {
        return dir.resolve(name + ".journal");
    }

    public Path key() {
        return dir.resolve(name + ".key");
    }
}
