package io.tidemark.appliance.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes stamped data to the volumes of a group through one lockstep qemu-io session per
 * volume (iSCSI, write-back), one command at a time across all sessions, and records each
 * write in the {@link GroupModel} when it is acknowledged: the model's order is the order
 * the initiators saw. Not thread-safe: one thread drives it.
 */
final class GroupWriter implements AutoCloseable {

    /** Write lengths in sectors: single sectors, odd runs, 4 KiB pages, up to 64 KiB (one SCSI command). */
    private static final int[] LENGTHS = {1, 3, 8, 8, 16, 40, 128};
    /** Sectors at the start of each volume that get half the writes, so versions pile up. */
    private static final int HOT_SECTORS = 512;
    private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(60);
    private static final Pattern WROTE = Pattern.compile("wrote (\\d+)/(\\d+) bytes at offset (\\d+)\\n");

    private final GroupModel model;
    private final List<LockstepQemuIo> sessions = new ArrayList<>();
    private final Path patternFile;

    /** Opens one session per volume, {@code urls.get(i)} being volume i of the model. */
    GroupWriter(GroupModel model, List<String> urls, Path work) {
        if (urls.size() != model.disks().size()) {
            throw new IllegalArgumentException(urls.size() + " URLs for " + model.disks().size() + " volumes");
        }
        this.model = model;
        this.patternFile = work.resolve("pattern-" + System.nanoTime() + ".bin");
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + work, e);
        }
        try {
            for (int i = 0; i < urls.size(); i++) {
                sessions.add(new LockstepQemuIo(urls.get(i),
                        work.resolve("qemu-io-" + model.disk(i).name() + "-" + System.nanoTime() + ".log"), System::nanoTime));
            }
        } catch (RuntimeException | Error e) {
            close(); // the sessions already open must not outlive a failed start
            throw e;
        }
    }

    GroupModel model() {
        return model;
    }

    /** One write of a random volume, length and place (half of them in the hot zone); returns it once acknowledged. */
    GroupModel.Write writeRandom(SplittableRandom random) {
        int disk = random.nextInt(model.disks().size());
        int sectors = LENGTHS[random.nextInt(LENGTHS.length)];
        long total = model.disk(disk).sectors();
        long span = random.nextBoolean() ? Math.min(HOT_SECTORS, total) : total;
        long lba = random.nextLong(span - sectors + 1);
        return write(disk, lba, sectors);
    }

    /** Writes {@code sectors} stamped sectors at {@code lba} of volume {@code disk}; fails unless acknowledged. */
    GroupModel.Write write(int disk, long lba, int sectors) {
        byte[] content = model.content(disk, lba, sectors);
        try {
            Files.write(patternFile, content);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + patternFile, e);
        }
        long offset = lba * GroupModel.SECTOR;
        String command = "write -s " + patternFile + " " + offset + " " + content.length;
        LockstepQemuIo session = sessions.get(disk);
        LockstepQemuIo.Completion done = session.run(command, COMMAND_DEADLINE);
        Matcher wrote = WROTE.matcher(done.output());
        if (done.ended() || !wrote.lookingAt() || Long.parseLong(wrote.group(1)) != content.length
                || Long.parseLong(wrote.group(3)) != offset) {
            throw new AssertionError("'" + command + "' on " + model.disk(disk).name()
                    + " was not acknowledged (expected 'wrote " + content.length + "/" + content.length
                    + " bytes at offset " + offset + "'):\n" + done.output()
                    + "\ntranscript tail:\n" + ToolRun.tail(session.transcript(), 20));
        }
        return model.acknowledged(disk, lba, sectors);
    }

    /** Sends a flush (SYNCHRONIZE CACHE) on every session; fails unless each is acknowledged. */
    void flush() {
        for (int i = 0; i < sessions.size(); i++) {
            LockstepQemuIo.Completion done = sessions.get(i).run("flush", COMMAND_DEADLINE);
            if (done.ended() || !done.output().isBlank()) {
                throw new AssertionError("flush of " + model.disk(i).name() + " failed:\n" + done.output());
            }
        }
    }

    @Override
    public void close() {
        for (LockstepQemuIo session : sessions) {
            session.close();
        }
        sessions.clear();
        try {
            Files.deleteIfExists(patternFile);
        } catch (IOException e) {
            // a leftover scratch file in the test's directory is harmless
        }
    }
}
