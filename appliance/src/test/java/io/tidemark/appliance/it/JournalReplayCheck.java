package io.tidemark.appliance.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.journal.GroupVolume;
import io.tidemark.journal.OfflineReplay;
import io.tidemark.journal.store.FileStore;
import io.tidemark.journal.store.StoreOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The crash test's second check, "the store equals a replay of the journal" (issue 3): right
 * after the kill, with no appliance running, the volume's whole journal is replayed with the
 * journal module's {@link OfflineReplay} into a fresh zeroed image; after the restart (which
 * recovers the journal tail into the store) the volume read back through iSCSI must equal that
 * image byte for byte.
 *
 * <p>Where the journal is comes from the admin API: the volume's {@code journal} object
 * ({@code groupId}: the id its records carry; {@code directory}). An appliance that does not
 * journal has none; then {@link #assertNoJournalIn} makes sure no Chronicle cycle file exists
 * either, so a journal the API fails to report cannot skip the check silently. The replay
 * needs the whole history: {@link #config} keeps the journal from being trimmed. Stateless;
 * thread-safe.
 */
final class JournalReplayCheck {

    /** Chronicle Queue's cycle files: their presence means the appliance journals. */
    private static final String CYCLE_FILE_SUFFIX = ".cq4";
    private static final String DEFAULTS_RESOURCE = "/tidemark-defaults.conf";
    /** The roll period {@link #config} sets, which the replay must open the queue with. */
    static final Duration ROLL_PERIOD = Duration.ofHours(1);

    /**
     * Where one volume's records are.
     *
     * @param directory  the group's Chronicle Queue directory
     * @param volumeId   the volume id its records carry
     * @param rollPeriod the group's journal.roll-period
     */
    record JournalLocation(Path directory, int volumeId, Duration rollPeriod) {}

    private JournalReplayCheck() {
    }

    /**
     * Config lines for a journal that keeps every record for the test's length (a fixed roll
     * period, retention far longer than the test), when this appliance has journal keys; else
     * none (an unknown key would stop start-up).
     */
    static String config() {
        try (InputStream defaults = JournalReplayCheck.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            String text = defaults == null ? "" : new String(defaults.readAllBytes(), StandardCharsets.UTF_8);
            return text.contains("journal.retention") ? "journal.roll-period = 1h\njournal.retention = 24h\n" : "";
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + DEFAULTS_RESOURCE, e);
        }
    }

    /** The journal of volume {@code name} as the admin API reports it; empty when it has none. */
    static Optional<JournalLocation> journalOf(ApplianceApi api, String name) {
        ApplianceApi.Reply reply = api.get("/api/v1/volumes/" + name);
        if (reply.status() != 200) {
            throw new AssertionError("GET /api/v1/volumes/" + name + " -> HTTP " + reply.status() + ": " + reply.body());
        }
        JsonNode journal = reply.json().path("journal");
        if (journal.isMissingNode() || journal.isNull()) {
            return Optional.empty();
        }
        JsonNode groupId = journal.path("groupId");
        JsonNode directory = journal.path("directory");
        if (!groupId.isInt() || !directory.isTextual()) {
            throw new AssertionError("volume " + name + "'s journal in the admin API lacks groupId (int) or directory"
                    + " (text): " + journal);
        }
        return Optional.of(new JournalLocation(Path.of(directory.asText()), groupId.asInt(), ROLL_PERIOD));
    }

    /** Fails when Chronicle cycle files exist under {@code dataDir} although the API reports no journal. */
    static void assertNoJournalIn(Path dataDir) {
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            List<Path> cycles = files.filter(f -> f.getFileName().toString().endsWith(CYCLE_FILE_SUFFIX)).toList();
            if (!cycles.isEmpty()) {
                throw new AssertionError("the admin API reports no journal for the crash test's volume, yet "
                        + cycles + " exist: the journal replay check needs the API's journal.groupId and directory");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("scanning " + dataDir + " for journals", e);
        }
    }

    /** Replays every valid record of {@code journal} into a new zeroed image at {@code image}. */
    static OfflineReplay.Result replayInto(JournalLocation journal, Volume volume, Path image) throws IOException {
        try (FileStore store = FileStore.create(image, volume.sizeBytes(), StoreOptions.DEFAULTS.withDirectIo(false))) {
            return OfflineReplay.replayAll(journal.directory(), journal.rollPeriod(),
                    List.of(new GroupVolume(journal.volumeId(), volume.name(), store)));
        }
    }
}
