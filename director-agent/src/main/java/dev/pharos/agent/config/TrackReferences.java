package dev.pharos.agent.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/// Names that track lines refer to, resolved in file order as keepalived 2.2.7 resolves them:
/// `track_script`, `track_process`, `track_file` and `track_bfd` are looked up while the instance
/// or sync group is read (`vrrp_track.c` `alloc_track_script`, `alloc_track_process`,
/// `alloc_track_bfd`; `trackers/track_file.c` `vrrp_alloc_track_file`), and so is a FILE_CHECK's
/// `track_file` (`check_file.c` `track_file_handler`). A name defined further down the file is
/// "not found" there, although it is defined.
final class TrackReferences {

    private final Values values;
    /// Names the blocks read so far define, per kind.
    private final Map<String, Set<String>> definedSoFar = new HashMap<>();
    /// Every name each kind defines in the file, with the line of its first definition.
    private final Map<String, Map<String, Position>> definedAnywhere = new HashMap<>();

    TrackReferences(Values values) {
        this.values = values;
    }

    /// The kind of name a top-level block defines, as track lines refer to it; null for others.
    private static String kind(String keyword) {
        return switch (keyword) {
            case "vrrp_script" -> "vrrp_script";
            case "vrrp_track_process" -> "vrrp_track_process";
            case "track_file", "vrrp_track_file" -> "track_file";
            case "bfd_instance" -> "bfd_instance";
            default -> null;
        };
    }

    /// Learns every definition of the top level, to tell "defined below" from "not defined".
    void scan(List<Node> top) {
        for (var n : top) {
            var kind = kind(n.name());
            if (kind != null && n.isBlock() && n.args().size() == 1) {
                definedAnywhere.computeIfAbsent(kind, k -> new LinkedHashMap<>())
                        .putIfAbsent(n.args().getFirst().text(), n.position());
            }
        }
    }

    /// Records a definition as read.
    void define(Node n) {
        var kind = kind(n.name());
        if (kind != null && n.isBlock() && n.args().size() == 1) {
            definedSoFar.computeIfAbsent(kind, k -> new HashSet<>()).add(n.args().getFirst().text());
        }
    }

    /// Checks each line of a `track_script` / `track_process` / `track_file` / `track_bfd` block;
    /// returns the lines whose name keepalived finds.
    List<Node> block(Node n, String kind, String where) {
        var found = new ArrayList<Node>();
        if (!Structure.block(values, n, 0)) {
            return found;
        }
        for (var line : n.children()) {
            if (check(line.keyword(), kind, where, n.name())) {
                found.add(line);
            }
        }
        return found;
    }

    /// Checks one name a `keyword` line refers to; false when keepalived would not find it (an
    /// undefined vrrp_script is left to the Validator, which checks models from JSON too).
    boolean check(Token name, String kind, String where, String keyword) {
        if (definedSoFar.getOrDefault(kind, Set.of()).contains(name.text())) {
            return true;
        }
        var later = definedAnywhere.getOrDefault(kind, Map.of()).get(name.text());
        if (later != null) {
            values.error(name.position(), where + ": " + keyword + " " + name.text() + " refers to the " + kind + " "
                    + name.text() + " defined below, at line " + later.line() + "; keepalived looks the name up while"
                    + " reading and reports it not found: move " + kind + " " + name.text() + " above " + where);
            return false;
        }
        if (kind.equals("vrrp_script")) {
            return true;
        }
        values.error(name.position(), where + ": " + keyword + " " + name.text() + ": no " + kind + " " + name.text()
                + " is defined (keepalived reports it not found and ignores the line)");
        return false;
    }
}
