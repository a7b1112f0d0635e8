package io.tidemark.appliance.volume;

import java.nio.file.Path;

/**
 * A served volume, as listings show it.
 *
 * @param targetIqn  the target serving it
 * @param naaId      32 hex digits (VPD 0x83)
 * @param image      the sparse data file
 * @param journal    its journal's position and size at the time of the listing (its group's, when grouped)
 * @param group      the consistency group it belongs to; null when none
 */
public record Volume(String name, long sizeBytes, String targetName, String targetIqn, int lun, String naaId,
                     Path image, JournalStatus journal, String group) {}
