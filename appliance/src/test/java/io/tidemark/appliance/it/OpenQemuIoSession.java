package io.tidemark.appliance.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An interactive qemu-io holding an iSCSI session open while a test does something else
 * (e.g. stops the appliance). Commands go to its stdin; its output lines are awaited with a
 * deadline. Not thread-safe: one test drives it.
 */
final class OpenQemuIoSession implements AutoCloseable {

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder transcript = new StringBuilder();
    private final Thread reader;

    OpenQemuIoSession(String url) {
        try {
            process = new ProcessBuilder(List.of(ExternalTool.QEMU_IO.path(), "-f", "raw", url))
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        reader = new Thread(this::pump, "qemu-io-output");
        reader.setDaemon(true);
        reader.start();
    }

    private void pump() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("[output closed: " + e + "]");
        }
    }

    /** Sends one qemu-io command line. */
    void send(String command) {
        try {
            stdin.write(command + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError("qemu-io is gone before '" + command + "':\n" + transcript, e);
        }
    }

    /** Waits for an output line containing this text; fails with the transcript at the deadline. */
    void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("qemu-io printed no line containing '" + text + "' within "
                        + timeout.toSeconds() + " s; transcript:\n" + transcript);
            }
            transcript.append(line).append('\n');
            if (line.contains(text)) {
                return;
            }
        }
    }

    String transcript() {
        return transcript.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(10));
    }
}
