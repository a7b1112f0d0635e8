package io.tidemark.appliance.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The replication tests' independent model of a consistency group: the volumes' sizes and
 * every write in the order the initiators were told it completed (one session at a time,
 * lockstep, so that order is total across volumes). A {@link #mark() mark} names a point of
 * that order (how many writes came before it); {@link #image} rebuilds a volume as of a mark
 * by replaying the writes, never by asking Tidemark. Each write's sectors are
 * {@link SectorStamp stamps} of its write id, with a seed per volume, so a sector read from a
 * view names the write it came from and a sector of the wrong volume or LBA matches nothing.
 * Not thread-safe: one test thread drives it.
 */
final class GroupModel {

    static final int SECTOR = SectorStamp.SECTOR;
    private static final int MAX_REPORTED = 8;

    /** One volume of the group: {@code seed} is its stamp seed. */
    record Disk(String name, long sizeBytes, long seed) {
        long sectors() {
            return sizeBytes / SECTOR;
        }
    }

    /** One acknowledged write: {@code id} is its stamp's write id (1, 2, ... in acknowledgement order). */
    record Write(int disk, long lba, int sectors, long id) {
    }

    private final List<Disk> disks;
    private final List<Write> log = new ArrayList<>();

    GroupModel(List<Disk> disks) {
        for (Disk d : disks) {
            if (d.sizeBytes() % SECTOR != 0) {
                throw new IllegalArgumentException("size of " + d.name() + ": " + d.sizeBytes()
                        + " (expected: a multiple of " + SECTOR + ")");
            }
        }
        this.disks = List.copyOf(disks);
    }

    List<Disk> disks() {
        return disks;
    }

    Disk disk(int index) {
        return disks.get(index);
    }

    /** The id the next write will take. */
    long nextId() {
        return log.size() + 1L;
    }

    /** The stamped bytes of a write about to be sent with id {@link #nextId()}. */
    byte[] content(int disk, long lba, int sectors) {
        checkRange(disk, lba, sectors);
        byte[] bytes = new byte[sectors * SECTOR];
        SectorStamp.fill(bytes, disks.get(disk).seed(), nextId(), lba, sectors);
        return bytes;
    }

    /** Records that the write sent with {@link #nextId()} was acknowledged. */
    Write acknowledged(int disk, long lba, int sectors) {
        checkRange(disk, lba, sectors);
        Write w = new Write(disk, lba, sectors, nextId());
        log.add(w);
        return w;
    }

    /** The point after every write acknowledged so far. */
    int mark() {
        return log.size();
    }

    /** The volume as of {@code mark}: its first {@code mark} writes replayed over zeros. */
    byte[] image(int disk, int mark) {
        if (mark < 0 || mark > log.size()) {
            throw new IllegalArgumentException("mark: " + mark + " (expected: 0.." + log.size() + ")");
        }
        Disk d = disks.get(disk);
        byte[] image = new byte[Math.toIntExact(d.sizeBytes())];
        byte[] scratch = new byte[0];
        for (Write w : log.subList(0, mark)) {
            if (w.disk() != disk) {
                continue;
            }
            int length = w.sectors() * SECTOR;
            if (scratch.length < length) {
                scratch = new byte[length];
            }
            SectorStamp.fill(scratch, d.seed(), w.id(), w.lba(), w.sectors());
            System.arraycopy(scratch, 0, image, Math.toIntExact(w.lba() * SECTOR), length);
        }
        return image;
    }

    /**
     * Compares what a view (or the live volume) holds with the model at {@code mark}: null when
     * equal, else a description naming the first differing sectors, the write each holds and
     * the one the model expects, and the newest write id seen anywhere in {@code actual} (a view
     * behind the mark shows an older newest id; one ahead, a newer one).
     */
    String describeDifference(int disk, int mark, byte[] actual) {
        Disk d = disks.get(disk);
        byte[] expected = image(disk, mark);
        if (actual.length != expected.length) {
            return d.name() + ": " + actual.length + " bytes read (expected: " + expected.length + ")";
        }
        if (java.util.Arrays.equals(expected, actual)) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        int differing = 0;
        long newestSeen = 0;
        for (long lba = 0; lba < d.sectors(); lba++) {
            long holds = SectorStamp.versionAt(actual, lba, d.seed());
            newestSeen = Math.max(newestSeen, holds);
            int at = Math.toIntExact(lba * SECTOR);
            if (java.util.Arrays.equals(actual, at, at + SECTOR, expected, at, at + SECTOR)) {
                continue;
            }
            if (differing++ < MAX_REPORTED) {
                long wanted = SectorStamp.versionAt(expected, lba, d.seed());
                out.append("\n  sector ").append(lba).append(": holds ").append(describeVersion(holds, actual, lba))
                        .append(", model expects ").append(describeVersion(wanted, expected, lba));
            }
        }
        return d.name() + " at mark " + mark + " (write #" + mark + " of " + log.size() + " acknowledged): "
                + differing + " of " + d.sectors() + " sectors differ; newest write id seen in the data: "
                + newestSeen + out;
    }

    private static String describeVersion(long version, byte[] image, long lba) {
        if (version == SectorStamp.NEVER_WRITTEN) {
            return "zeros";
        }
        if (version == SectorStamp.FOREIGN) {
            return "no write of this volume and LBA (head " + SectorStamp.head(image, lba) + ")";
        }
        return "write #" + version;
    }

    private void checkRange(int disk, long lba, int sectors) {
        Disk d = disks.get(disk);
        if (sectors < 1 || lba < 0 || lba + sectors > d.sectors()) {
            throw new IllegalArgumentException("write of " + sectors + " sectors at LBA " + lba + " of " + d.name()
                    + " (expected: inside 0.." + d.sectors() + ")");
        }
    }
}
