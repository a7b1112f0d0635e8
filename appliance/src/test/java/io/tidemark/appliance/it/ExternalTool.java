package io.tidemark.appliance.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a real initiator tool (libiscsi-bin, qemu-utils) to completion with a deadline, its
 * output captured in files under a work directory (files, not pipes: a chatty tool can't block).
 * A tool missing from the PATH fails the test with the Debian package to install; it never skips.
 */
final class ExternalTool {

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final List<String> EXTRA_PATH = List.of("/usr/sbin", "/sbin", "/usr/local/bin");

    private final String executable;
    private final String debianPackage;

    private ExternalTool(String executable, String debianPackage) {
        this.executable = executable;
        this.debianPackage = debianPackage;
    }

    static final ExternalTool ISCSI_TEST_CU = new ExternalTool("iscsi-test-cu", "libiscsi-bin");
    static final ExternalTool ISCSI_LS = new ExternalTool("iscsi-ls", "libiscsi-bin");
    static final ExternalTool ISCSI_INQ = new ExternalTool("iscsi-inq", "libiscsi-bin");
    static final ExternalTool ISCSI_READCAPACITY16 = new ExternalTool("iscsi-readcapacity16", "libiscsi-bin");
    static final ExternalTool QEMU_IMG = new ExternalTool("qemu-img", "qemu-utils");
    static final ExternalTool QEMU_IO = new ExternalTool("qemu-io", "qemu-utils");

    /** A program of this repository (e.g. the ./tidemark launcher), run by absolute path. */
    static ExternalTool at(Path program) {
        return new ExternalTool(program.toString(), "(part of this repository, not a package)");
    }

    /** The absolute path of the executable; throws AssertionError naming the package when missing. */
    String path() {
        if (executable.startsWith("/")) {
            if (!Files.isExecutable(Path.of(executable))) {
                throw new AssertionError(executable + " is missing or not executable");
            }
            return executable;
        }
        return locate().orElseThrow(() -> new AssertionError(executable + " not found on PATH ("
                + System.getenv("PATH") + "): install " + debianPackage
                + " (apt-get install " + debianPackage + "; .ci/run does this)"));
    }

    private Optional<String> locate() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(EXTRA_PATH);
        return dirs.stream().filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, executable))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .findFirst();
    }

    /** Runs the tool with these arguments; never throws for a non-zero exit (the caller asserts). */
    ToolRun run(Path workDir, Duration deadline, Map<String, String> env, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(path());
        command.addAll(args);
        int n = RUNS.incrementAndGet();
        String name = Path.of(executable).getFileName().toString();
        Path out = workDir.resolve(name + "-" + n + ".out");
        Path err = workDir.resolve(name + "-" + n + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        long start = System.nanoTime();
        try {
            Files.createDirectories(workDir);
            Process process = builder.start();
            boolean finished = process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return new ToolRun(command, finished ? process.exitValue() : -1, !finished,
                    read(out), read(err), elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    ToolRun run(Path workDir, Duration deadline, String... args) {
        return run(workDir, deadline, Map.of(), List.of(args));
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    }

    @Override
    public String toString() {
        return executable;
    }
}
