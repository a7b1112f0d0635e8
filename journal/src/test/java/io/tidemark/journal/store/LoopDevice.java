package io.tidemark.journal.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A loop device over a backing file, attached with losetup; null when losetup is unavailable here. */
final class LoopDevice implements AutoCloseable {

    private final Path device;

    private LoopDevice(Path device) {
        this.device = device;
    }

    /** Attaches {@code backingFile}, or returns null when this machine cannot (not root, no losetup, no loop devices). */
    static LoopDevice attach(Path backingFile) throws InterruptedException {
        try {
            String out = run(List.of("losetup", "--find", "--show", backingFile.toString()));
            return out == null || !out.startsWith("/dev/") ? null : new LoopDevice(Path.of(out));
        } catch (IOException e) {
            return null;
        }
    }

    Path path() {
        return device;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(List.of("losetup", "--detach", device.toString()));
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return null;
        }
        return process.exitValue() == 0 ? out : null;
    }
}
