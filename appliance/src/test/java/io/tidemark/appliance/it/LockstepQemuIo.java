package io.tidemark.appliance.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * An interactive qemu-io on one LUN, driven one command at a time: qemu-io prints its prompt
 * {@code "qemu-io> "} (flushed, no newline) when a command has finished, so the text between
 * two prompts is one command's whole output, and the prompt's arrival is the moment the
 * command, a flush included (which prints nothing), was acknowledged. Each completion is
 * stamped with the caller's logical clock as the prompt is read.
 *
 * <p>{@link #pid} lets a test freeze the process (SIGSTOP) before it kills the appliance, so
 * the process never sees the appliance die: every completion it printed came from a live
 * appliance. Not thread-safe: one thread drives it (its own reader thread only fills the queue).
 */
final class LockstepQemuIo implements AutoCloseable {

    static final String PROMPT = "qemu-io> ";
    private static final Duration READY_DEADLINE = Duration.ofSeconds(60);

    /**
     * What came back for one command.
     *
     * @param output text printed before the prompt (stdout and stderr)
     * @param at     logical time the prompt was read, or -1 when the process ended first
     */
    record Completion(String output, long at) {
        boolean ended() {
            return at < 0;
        }
    }

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final StringBuilder transcript = new StringBuilder();
    private final LongSupplier clock;
    private final Thread reader;
    private final Path log;

    /** Starts qemu-io on {@code url}; waits for its first prompt (logged in). */
    LockstepQemuIo(String url, Path log, LongSupplier clock) {
        this.clock = clock;
        this.log = log;
        try {
            // write-back: qemu-io's default, write-through, would add a flush to every write
            process = new ProcessBuilder(List.of(ExternalTool.QEMU_IO.path(), "-f", "raw", "-t", "writeback", url))
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting qemu-io on " + url, e);
        }
        stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        reader = new Thread(this::pump, "qemu-io-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        Completion ready = next(READY_DEADLINE, "(start)");
        if (ready.ended() || !ready.output().isBlank()) {
            throw new AssertionError("qemu-io on " + url + " did not come up with a prompt:\n" + ready.output());
        }
    }

    long pid() {
        return process.pid();
    }

    /**
     * Sends {@code command} and waits for its completion; {@link Completion#ended()} when the
     * process ended first (killed by the test). Fails when nothing comes back within {@code timeout}.
     */
    Completion run(String command, Duration timeout) {
        try {
            synchronized (transcript) {
                transcript.append(PROMPT).append(command).append('\n');
            }
            stdin.write(command + "\n");
            stdin.flush();
        } catch (IOException e) {
            // the test killed it between commands: the command never went out
            return new Completion("", -1);
        }
        return next(timeout, command);
    }

    private Completion next(Duration timeout, String command) {
        try {
            Completion completion = completions.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (completion == null) {
                throw new AssertionError("qemu-io (pid " + pid() + ") did not complete '" + command + "' within "
                        + timeout.toSeconds() + " s; transcript tail:\n" + ToolRun.tail(transcript(), 40));
            }
            return completion;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for qemu-io '" + command + "'", e);
        }
    }

    /** Splits the output at each prompt; the last fragment, with no prompt after it, ends the stream. */
    private void pump() {
        StringBuilder pending = new StringBuilder();
        byte[] buffer = new byte[8192];
        try (InputStream out = process.getInputStream()) {
            for (int n; (n = out.read(buffer)) > 0; ) {
                String text = new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                synchronized (transcript) {
                    transcript.append(text);
                }
                pending.append(text);
                for (int at; (at = pending.indexOf(PROMPT)) >= 0; ) {
                    completions.add(new Completion(pending.substring(0, at), clock.getAsLong()));
                    pending.delete(0, at + PROMPT.length());
                }
            }
        } catch (IOException e) {
            pending.append("[qemu-io output closed: ").append(e).append(']');
        }
        completions.add(new Completion(pending.toString(), -1));
    }

    String transcript() {
        synchronized (transcript) {
            return transcript.toString();
        }
    }

    /**
     * Stops every session with SIGSTOP (one {@code kill -STOP} for all) and waits until the
     * kernel shows each stopped: from then on none can observe anything, so whatever they
     * printed was printed before.
     */
    static void freeze(List<LockstepQemuIo> sessions) {
        List<String> command = new java.util.ArrayList<>(List.of("kill", "-STOP"));
        sessions.forEach(s -> command.add(Long.toString(s.pid())));
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (LockstepQemuIo session : sessions) {
                while (!session.stoppedOrGone()) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("qemu-io pid " + session.pid() + " not stopped 10 s after SIGSTOP");
                    }
                    Thread.onSpinWait();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("running " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** State letter T (stopped) in /proc/PID/stat, or the process is gone. */
    private boolean stoppedOrGone() throws IOException {
        if (!process.isAlive()) {
            return true;
        }
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"), StandardCharsets.ISO_8859_1);
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        }
        // "pid (comm) S ...": the state follows the last ')', as comm may hold any character
        int state = stat.lastIndexOf(')') + 2;
        return state < stat.length() && (stat.charAt(state) == 'T' || stat.charAt(state) == 't');
    }

    /** SIGKILL (works on a stopped process too), then waits for the output to drain. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("qemu-io pid " + pid() + " survived SIGKILL for 30 s");
            }
            reader.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills it if still running and keeps its transcript in the log file. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        try {
            Files.writeString(log, transcript(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + log, e);
        }
    }
}
