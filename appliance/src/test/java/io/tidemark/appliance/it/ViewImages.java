package io.tidemark.appliance.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads whole LUNs through QEMU's iSCSI initiator ({@code qemu-img convert} from an
 * iscsi:// URL into a file) and compares point-in-time views with the {@link GroupModel}.
 * Thread-safe.
 */
final class ViewImages {

    private static final Duration DEADLINE = Duration.ofMinutes(2);
    private static final AtomicInteger READS = new AtomicInteger();

    private ViewImages() {
    }

    /** Every byte of the LUN at {@code url}. */
    static byte[] read(Path work, String url) {
        Path out = work.resolve("lun-" + READS.incrementAndGet() + ".raw");
        ToolRun run = ExternalTool.QEMU_IMG.run(work, DEADLINE, "convert", "-f", "raw", "-O", "raw", url, out.toString());
        if (!run.succeeded()) {
            throw new AssertionError("reading " + url + ": " + run.describe());
        }
        try {
            byte[] bytes = Files.readAllBytes(out);
            Files.delete(out);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + out, e);
        }
    }

    /**
     * Asserts that every volume of {@code view} equals the model at {@code mark}; the view's
     * volumes are matched to the model's by name, else by LUN (= position in the group).
     */
    static void assertEquals(Path work, ReplicationApi.View view, GroupModel model, int mark, String what) {
        if (view.volumes() == null || view.volumes().size() != model.disks().size()) {
            throw new AssertionError(what + ": view " + view + " presents " + (view.volumes() == null ? 0 : view.volumes().size())
                    + " volumes (expected " + model.disks().size() + ", one per group volume)");
        }
        List<String> differences = new ArrayList<>();
        for (int disk = 0; disk < model.disks().size(); disk++) {
            ReplicationApi.ViewVolume volume = volumeOf(view, model.disk(disk).name(), disk);
            String difference = model.describeDifference(disk, mark, read(work, volume.url()));
            if (difference != null) {
                differences.add(difference);
            }
        }
        if (!differences.isEmpty()) {
            throw new AssertionError(what + ": view " + view.view() + " at sequence " + view.sequence()
                    + " differs from the model:\n" + String.join("\n", differences));
        }
    }

    private static ReplicationApi.ViewVolume volumeOf(ReplicationApi.View view, String name, int position) {
        for (ReplicationApi.ViewVolume v : view.volumes()) {
            if (name.equals(v.name())) {
                return v;
            }
        }
        for (ReplicationApi.ViewVolume v : view.volumes()) {
            if (v.lun() == position) {
                return v;
            }
        }
        throw new AssertionError("view " + view.view() + " has no volume named " + name + " nor LUN " + position
                + ": " + view.volumes());
    }
}
