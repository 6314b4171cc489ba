package dev.pharos.agent.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/// What changed between two configurations, one line per change, for `config.apply`, reloads
/// and the event stream: instances and virtual servers added, removed or changed, and within a
/// virtual server its real servers.
public final class ConfigDiff {

    public static List<String> describe(KeepalivedConfig before, KeepalivedConfig after) {
        var out = new ArrayList<String>();
        if (!Objects.equals(before.globalDefs(), after.globalDefs())) {
            out.add("changed global_defs");
        }
        compare(out, "vrrp_script", before.vrrpScripts(), after.vrrpScripts(), VrrpScriptDef::name);
        compare(out, "vrrp_sync_group", before.syncGroups(), after.syncGroups(), SyncGroupDef::name);
        compare(out, "vrrp_instance", before.vrrpInstances(), after.vrrpInstances(), VrrpInstanceDef::name);
        compare(out, "virtual_server_group", before.virtualServerGroups(), after.virtualServerGroups(),
                VirtualServerGroupDef::name);
        var old = index(before.virtualServers(), VirtualServerDef::id);
        var now = index(after.virtualServers(), VirtualServerDef::id);
        for (var e : old.entrySet()) {
            var n = now.get(e.getKey());
            if (n == null) {
                out.add("removed virtual server " + e.getKey());
            } else if (!n.equals(e.getValue())) {
                var o = e.getValue();
                if (!o.withRealServers(List.of()).equals(n.withRealServers(List.of()))) {
                    out.add("changed settings of virtual server " + e.getKey());
                }
                var ors = index(o.realServers(), RealServerDef::id);
                var nrs = index(n.realServers(), RealServerDef::id);
                ors.forEach((id, rs) -> {
                    if (!nrs.containsKey(id)) {
                        out.add("removed real server " + id + " from " + e.getKey());
                    } else if (!nrs.get(id).equals(rs)) {
                        out.add("changed real server " + id + " in " + e.getKey());
                    }
                });
                nrs.keySet().stream().filter(id -> !ors.containsKey(id))
                        .forEach(id -> out.add("added real server " + id + " to " + e.getKey()));
            }
        }
        now.keySet().stream().filter(id -> !old.containsKey(id)).forEach(id -> out.add("added virtual server " + id));
        if (!Objects.equals(before.extras(), after.extras())) {
            out.add("changed other top-level blocks");
        }
        return out;
    }

    private static <T> void compare(List<String> out, String kind, List<T> before, List<T> after,
            Function<T, String> name) {
        var old = index(before, name);
        var now = index(after, name);
        old.forEach((k, v) -> {
            if (!now.containsKey(k)) {
                out.add("removed " + kind + " " + k);
            } else if (!now.get(k).equals(v)) {
                out.add("changed " + kind + " " + k);
            }
        });
        now.keySet().stream().filter(k -> !old.containsKey(k)).forEach(k -> out.add("added " + kind + " " + k));
    }

    private static <T> LinkedHashMap<String, T> index(List<T> list, Function<T, String> name) {
        var m = new LinkedHashMap<String, T>();
        for (var t : list) {
            m.putIfAbsent(name.apply(t), t);
        }
        return m;
    }

    private ConfigDiff() {
    }
}
