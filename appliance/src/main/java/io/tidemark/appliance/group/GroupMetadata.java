package io.tidemark.appliance.group;

import java.util.List;

/**
 * What {@code groups/GROUP.json} holds: a consistency group on this (primary) appliance. The
 * group id is written in every record of the shared journal and the member ids name each
 * volume in them, so neither ever changes.
 *
 * @param version    format version of this file (1)
 * @param name       the group name
 * @param groupId    id of the shared journal's records (distinct from every volume's own id)
 * @param volumes    members in order; the order is the LUN order of point-in-time views
 * @param createdAt  ISO-8601 instant
 * @param protection where and how it replicates; null while unprotected
 */
public record GroupMetadata(int version, String name, int groupId, List<Member> volumes, String createdAt,
                            Protection protection) {

    public static final int CURRENT_VERSION = 1;

    public GroupMetadata {
        volumes = List.copyOf(volumes);
    }

    /**
     * One member volume.
     *
     * @param id the volume's stable id (its own journal group id before it joined), unique on this appliance
     */
    public record Member(String name, int id) {}

    /**
     * @param peer the paired peer replicating the group
     * @param mode "async" or "sync"
     */
    public record Protection(String peer, String mode) {}

    public GroupMetadata withProtection(Protection p) {
        return new GroupMetadata(version, name, groupId, volumes, createdAt, p);
    }

    public List<String> volumeNames() {
        return volumes.stream().map(Member::name).toList();
    }
}
