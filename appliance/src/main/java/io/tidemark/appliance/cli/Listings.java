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

    public static String peers(JsonNode peers) {
        if (peers == null || peers.isEmpty()) {
            return "no peers\n";
        }
        Table t = new Table("PEER", "ADDRESS", "FINGERPRINT", "PAIRED");
        for (JsonNode p : peers) {
            String address = p.path("address").asText();
            t.row(p.path("name").asText(), address.isEmpty() ? "(dials us)" : address, p.path("fingerprint").asText(),
                    p.path("pairedAt").asText());
        }
        return t.render();
    }

    public static String groups(JsonNode groups) {
        if (groups == null || groups.isEmpty()) {
            return "no groups\n";
        }
        Table t = new Table("GROUP", "ROLE", "STATE", "VOLUMES", "PEER", "MODE", "SYNC", "LAG");
        for (JsonNode g : groups) {
            t.row(g.path("name").asText(), g.path("role").asText(), g.path("state").asText(), members(g),
                    text(g.path("peer")), text(g.path("mode")), sync(g.path("sync")), lag(g.path("lag")));
        }
        return t.render();
    }

    /** One group in detail: state and peer, then sync progress, lag, DR window and sequences when known. */
    public static String group(JsonNode g) {
        StringBuilder sb = new StringBuilder(new Table("GROUP", "ROLE", "STATE", "VOLUMES", "PEER", "MODE")
                .row(g.path("name").asText(), g.path("role").asText(), g.path("state").asText(), members(g),
                        text(g.path("peer")), text(g.path("mode")))
                .render());
        JsonNode sync = g.path("sync");
        if (sync.isObject()) {
            JsonNode eta = sync.path("etaSeconds");
            sb.append("\n").append(new Table("SYNC", "DONE", "TOTAL", "ETA")
                    .row(String.format(java.util.Locale.ROOT, "%.1f%%", sync.path("percent").asDouble()),
                            Sizes.format(sync.path("doneBytes").asLong()), Sizes.format(sync.path("totalBytes").asLong()),
                            eta.isNumber() ? String.format(java.util.Locale.ROOT, "%.0fs", eta.asDouble()) : null)
                    .render());
        }
        JsonNode lag = g.path("lag");
        if (lag.isObject()) {
            sb.append("\n").append(new Table("LAG-SECONDS", "LAG-BYTES")
                    .row(String.format(java.util.Locale.ROOT, "%.3f", lag.path("seconds").asDouble()),
                            lag.path("bytes").asLong())
                    .render());
        }
        JsonNode window = g.path("window");
        if (window.isObject()) {
            sb.append("\n").append(new Table("WINDOW", "SEQUENCE", "TIME")
                    .row("oldest", window.path("oldest").path("sequence").asLong(), text(window.path("oldest").path("time")))
                    .row("newest", window.path("newest").path("sequence").asLong(), text(window.path("newest").path("time")))
                    .render());
            sb.append("pinned views: ").append(g.path("pinnedViews").asInt()).append('\n');
        }
        JsonNode seq = g.path("sequence");
        if (seq.isObject()) {
            sb.append("\n").append(new Table("APPENDED", "DURABLE", "SHIPPED", "ACKED")
                    .row(text(seq.path("appended")), text(seq.path("durable")), text(seq.path("shipped")),
                            text(seq.path("acked")))
                    .render());
        }
        return sb.toString();
    }

    public static String points(JsonNode points) {
        if (points == null || points.isEmpty()) {
            return "no recovery points\n";
        }
        Table t = new Table("SEQUENCE", "TIME", "CHECKPOINT");
        for (JsonNode p : points) {
            t.row(p.path("sequence").asLong(), p.path("time").asText(), text(p.path("name")));
        }
        return t.render();
    }

    /** A view: its name and point, then one line per volume with its iSCSI URL. */
    public static String view(JsonNode v) {
        Table t = new Table("VOLUME", "LUN", "URL");
        v.path("volumes").forEach(l -> t.row(l.path("name").asText(), l.path("lun").asInt(), l.path("url").asText()));
        return "view " + v.path("view").asText() + " of group " + v.path("group").asText() + " at seq "
                + v.path("sequence").asLong() + " (" + v.path("time").asText() + ")\n" + t.render();
    }

    public static String views(JsonNode views) {
        if (views == null || views.isEmpty()) {
            return "no views\n";
        }
        Table t = new Table("VIEW", "GROUP", "SEQUENCE", "TIME", "TARGET");
        for (JsonNode v : views) {
            JsonNode first = v.path("volumes").path(0);
            t.row(v.path("view").asText(), v.path("group").asText(), v.path("sequence").asLong(), v.path("time").asText(),
                    text(first.path("target")));
        }
        return t.render();
    }

    private static String members(JsonNode g) {
        List<String> names = new ArrayList<>();
        g.path("volumes").forEach(v -> names.add(v.asText()));
        return String.join(",", names);
    }

    private static String sync(JsonNode sync) {
        return sync.isObject() ? String.format(java.util.Locale.ROOT, "%.1f%%", sync.path("percent").asDouble()) : null;
    }

    private static String lag(JsonNode lag) {
        return lag.isObject() ? String.format(java.util.Locale.ROOT, "%.3fs", lag.path("seconds").asDouble()) : null;
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }
}
