package io.tidemark.appliance.volume;

import java.nio.file.Path;

/**
 * The files of one volume: {@code NAME.img} (sparse data), {@code NAME.json} (metadata),
 * {@code NAME.pr} (reservations) and the directory {@code NAME.journal/} (its journal).
 */
public record VolumeFiles(Path dir, String name) {

    public static final String IMAGE_SUFFIX = ".img";
    public static final String METADATA_SUFFIX = ".json";
    public static final String RESERVATIONS_SUFFIX = ".pr";
    public static final String JOURNAL_SUFFIX = ".journal";

    public Path image() {
        return dir.resolve(name + IMAGE_SUFFIX);
    }

    public Path metadata() {
        return dir.resolve(name + METADATA_SUFFIX);
    }

    public Path reservations() {
        return dir.resolve(name + RESERVATIONS_SUFFIX);
    }

    /** The journal's directory: Chronicle cycle files and the checkpoint. */
    public Path journal() {
        return dir.resolve(name + JOURNAL_SUFFIX);
    }
}
