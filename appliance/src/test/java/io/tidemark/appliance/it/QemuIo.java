package io.tidemark.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** qemu-io command batches against an iSCSI URL, asserted to run and to match every pattern. */
final class QemuIo {

    private static final Duration DEADLINE = Duration.ofMinutes(5);

    private QemuIo() {
    }

    /** Runs these qemu-io commands (e.g. "write -P 0x5a 0 1M") in one session; fails on any error. */
    static ToolRun assertRuns(Path work, String url, String... commands) {
        List<String> args = new ArrayList<>(List.of("-f", "raw"));
        for (String command : commands) {
            args.addAll(List.of("-c", command));
        }
        args.add(url);
        ToolRun run = ExternalTool.QEMU_IO.run(work, DEADLINE, Map.of(), args);
        assertThat(run.output()).as("qemu-io %s on %s", String.join(" ; ", commands), url)
                .doesNotContain("Pattern verification failed");
        assertThat(run.succeeded()).as(run.describe()).isTrue();
        return run;
    }
}
