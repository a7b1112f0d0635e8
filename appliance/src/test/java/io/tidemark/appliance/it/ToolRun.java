package io.tidemark.appliance.it;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of one external tool invocation.
 *
 * @param command  the command line, for messages
 * @param exitCode the exit status, or -1 when the tool was killed at its deadline
 * @param timedOut whether the deadline killed it
 * @param stdout   everything it printed on standard output
 * @param stderr   everything it printed on standard error
 * @param elapsed  wall time
 */
record ToolRun(List<String> command, int exitCode, boolean timedOut, String stdout, String stderr,
               Duration elapsed) {

    boolean succeeded() {
        return !timedOut && exitCode == 0;
    }

    /** Both streams, for assertion messages. */
    String output() {
        return stdout + (stderr.isEmpty() ? "" : "\n[stderr]\n" + stderr);
    }

    /** A one-paragraph description for assertion messages: the command, how it ended, its output tail. */
    String describe() {
        String end = timedOut ? "killed after " + elapsed.toSeconds() + " s" : "exit " + exitCode;
        return String.join(" ", command) + " -> " + end + "\n" + tail(output(), 60) + hint();
    }

    /** qemu's iSCSI driver is a module in a package of its own that apt may leave out. */
    private String hint() {
        return output().matches("(?s).*Unknown (protocol|driver) 'iscsi'.*")
                ? "\nqemu has no iSCSI block driver: install qemu-block-extra (.ci/run does)" : "";
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - lines);
        return (from > 0 ? "[... " + from + " lines omitted ...]\n" : "")
                + String.join("\n", List.of(all).subList(from, all.length));
    }
}
