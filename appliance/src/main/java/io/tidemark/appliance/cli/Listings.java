package io.tidemark.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.appliance.config.Sizes;
import java.util.ArrayList;
import java.util.List;

/** Turns API answers into the CLI's tables. */
public final class Listings {

    private Listings() {}

    public static String volumes(JsonNode volumes) {
        if (volumes == null || volumes.isEmpty()) {
            return "no volumes\n";
        }
        Table t = new Table("NAME", "SIZE", "TARGET", "LUN", "APPENDED", "DURABLE", "APPLIED", "CHECKPOINT", "JOURNAL",
                "URL");
        for (JsonNode v : volumes) {
            JsonNode j = v.path("journal");
            t.row(v.path("name").asText(), Sizes.format(v.path("sizeBytes").asLong()), v.path("target").asText(),
                    v.path("lun").asInt(), j.path("appended").asLong(), j.path("durable").asLong(),
                    j.path("applied").asLong(), j.path("checkpointed").asLong(), Sizes.format(j.path("bytes").asLong()),
                    v.path("url").asText());
        }
        return t.render();
    }

    public static String volume(JsonNode volume) {
        JsonNode j = volume.path("journal");
        return new Table("NAME", "SIZE", "TARGET", "LUN", "URL", "PATH")
                .row(volume.path("name").asText(), Sizes.format(volume.path("sizeBytes").asLong()),
                        volume.path("target").asText(), volume.path("lun").asInt(), volume.path("url").asText(),
                        volume.path("path").asText())
                .render()
                + "\n"
                + new Table("GROUP", "DURABILITY", "APPENDED", "DURABLE", "APPLIED", "CHECKPOINT", "JOURNAL", "JOURNAL-DIR")
                .row(j.path("groupId").asInt(), j.path("durability").asText(), j.path("appended").asLong(),
                        j.path("durable").asLong(), j.path("applied").asLong(), j.path("checkpointed").asLong(),
                        Sizes.format(j.path("bytes").asLong()), j.path("directory").asText())
                .render();
    }

    public static String targets(JsonNode targets) {
        if (targets == null || targets.isEmpty()) {
            return "no targets\n";
        }
        Table t = new Table("TARGET", "AUTH", "INITIATORS", "LUNS", "ALIAS");
        for (JsonNode n : targets) {
            List<String> luns = new ArrayList<>();
            n.path("luns").forEach(l -> luns.add(l.path("lun").asInt() + ":" + l.path("volume").asText()));
            List<String> allowed = new ArrayList<>();
            n.path("allowedInitiators").forEach(i -> allowed.add(i.asText()));
            t.row(n.path("iqn").asText(), n.path("auth").asText(), allowed.isEmpty() ? "any" : String.join(",", allowed),
                    luns.isEmpty() ? "none" : String.join(",", luns), text(n.path("alias")));
        }
        return t.render();
    }

    public static String sessions(JsonNode sessions) {
        if (sessions == null || sessions.isEmpty()) {
            return "no sessions\n";
        }
        Table t = new Table("INITIATOR", "TARGET", "ISID", "TSIH", "CONNS", "AUTH", "DIGESTS", "REMOTE");
        for (JsonNode s : sessions) {
            String target = text(s.path("targetName"));
            List<String> digests = new ArrayList<>();
            if (s.path("headerDigest").asBoolean()) {
                digests.add("header");
            }
            if (s.path("dataDigest").asBoolean()) {
                digests.add("data");
            }
            t.row(s.path("initiatorName").asText(), target == null ? "(discovery)" : target, s.path("isid").asText(),
                    s.path("tsih").asInt(), s.path("connections").asInt(), text(s.path("authMethod")),
                    digests.isEmpty() ? "none" : String.join(",", digests), s.path("remoteAddress").asText());
        }
        return t.render();
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }
}
