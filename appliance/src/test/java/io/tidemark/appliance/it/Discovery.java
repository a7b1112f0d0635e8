package io.tidemark.appliance.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code iscsi-ls -s} printed: per target, its portals and its LUNs with their type text.
 * <pre>
 * Target:iqn.2026-11.io.tidemark:shared Portal:127.0.0.1:3260,1
 * Lun:0    Type:DIRECT_ACCESS (Size:63M)
 * </pre>
 */
final class Discovery {

    private static final Pattern TARGET = Pattern.compile("^Target:(\\S+) Portal:(\\S+)\\s*$");
    private static final Pattern LUN = Pattern.compile("^Lun:(\\d+)\\s+Type:(.*?)\\s*$");

    private final Map<String, List<String>> portals = new LinkedHashMap<>();
    private final Map<String, Map<Integer, String>> luns = new LinkedHashMap<>();

    static Discovery parse(String output) {
        Discovery discovery = new Discovery();
        String target = null;
        for (String line : output.split("\n")) {
            Matcher t = TARGET.matcher(line);
            Matcher l = LUN.matcher(line);
            if (t.matches()) {
                target = t.group(1);
                discovery.portals.computeIfAbsent(target, k -> new ArrayList<>()).add(t.group(2));
                discovery.luns.computeIfAbsent(target, k -> new TreeMap<>());
            } else if (l.matches() && target != null) {
                discovery.luns.get(target).put(Integer.parseInt(l.group(1)), l.group(2));
            }
        }
        return discovery;
    }

    List<String> targets() {
        return List.copyOf(portals.keySet());
    }

    /** host:port,tpgt entries for this target; empty when not discovered. */
    List<String> portals(String target) {
        return portals.getOrDefault(target, List.of());
    }

    /** LUN number to the type text iscsi-ls printed (e.g. "DIRECT_ACCESS (Size:63M)"). */
    Map<Integer, String> luns(String target) {
        return luns.getOrDefault(target, Map.of());
    }
}
