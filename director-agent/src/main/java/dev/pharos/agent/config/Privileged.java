package dev.pharos.agent.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/// The parts of a configuration that only an administrator may change, because they run commands
/// as the agent's user or change how the agent runs them: every script (`notify*`, `vrrp_script`,
/// `MISC_CHECK`'s `misc_path`, `quorum_up/down`, their `user`), `global_defs` (`script_user`,
/// `enable_script_security`, mail), and any statement Pharos keeps without acting on whose keyword
/// speaks of a script, a user, a path or a command (keepalived would run it from the written file).
///
/// The comparison is of models, so an operator's text may differ in comments, order of other
/// blocks and spelling of aliases, and still pass.
public final class Privileged {

    private static final Pattern RISKY_KEYWORD = Pattern.compile("(?i).*(script|notify|user|path|exec|fifo|command).*");

    private Privileged() {
    }

    /// The first privileged part that differs between `current` and `next`, named for a message
    /// (`notify_master of vrrp_instance VI_1`), or empty when they agree on all of them.
    public static Optional<String> firstChange(KeepalivedConfig current, KeepalivedConfig next) {
        var a = parts(current);
        var b = parts(next);
        var names = new LinkedHashSet<String>(a.keySet());
        names.addAll(b.keySet());
        for (var name : names) {
            if (!Objects.equals(a.get(name), b.get(name))) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /// Every privileged part of `c` by a name that says where it is; absent values are left out,
    /// so adding one and removing one are both differences.
    static Map<String, Object> parts(KeepalivedConfig c) {
        var out = new LinkedHashMap<String, Object>();
        if (!c.globalDefs().equals(GlobalDefs.EMPTY)) {
            out.put("global_defs", c.globalDefs());
        }
        for (var s : c.vrrpScripts()) {
            out.put("vrrp_script " + s.name(), s);
        }
        for (var g : c.syncGroups()) {
            var where = " of vrrp_sync_group " + g.name();
            put(out, "notify_master" + where, g.notifyMaster());
            put(out, "notify_backup" + where, g.notifyBackup());
            put(out, "notify_fault" + where, g.notifyFault());
            put(out, "notify_stop" + where, g.notifyStop());
            put(out, "notify" + where, g.notifyGeneric());
            extras(out, g.extras(), where);
        }
        for (var i : c.vrrpInstances()) {
            var where = " of vrrp_instance " + i.name();
            put(out, "notify_master" + where, i.notifyMaster());
            put(out, "notify_backup" + where, i.notifyBackup());
            put(out, "notify_fault" + where, i.notifyFault());
            put(out, "notify_stop" + where, i.notifyStop());
            put(out, "notify" + where, i.notifyGeneric());
            extras(out, i.extras(), where);
        }
        for (var vs : c.virtualServers()) {
            var where = " of virtual_server " + vs.id();
            put(out, "quorum_up" + where, vs.quorumUp());
            put(out, "quorum_down" + where, vs.quorumDown());
            extras(out, vs.extras(), where);
            for (var rs : vs.realServers()) {
                var rsWhere = " of real_server " + rs.id() + " in virtual_server " + vs.id();
                put(out, "notify_up" + rsWhere, rs.notifyUp());
                put(out, "notify_down" + rsWhere, rs.notifyDown());
                extras(out, rs.extras(), rsWhere);
                int n = 0;
                for (var checker : rs.checkers()) {
                    if (checker instanceof CheckerDef.Misc m) {
                        n++;
                        var checkWhere = " of MISC_CHECK " + n + rsWhere;
                        put(out, "misc_path" + checkWhere, m.miscPath());
                        put(out, "user" + checkWhere, m.user());
                        extras(out, m.extras(), checkWhere);
                    }
                }
            }
        }
        extras(out, c.extras(), "");
        return out;
    }

    private static void put(Map<String, Object> out, String name, Object value) {
        if (value != null) {
            out.put(name, value);
        }
    }

    private static void extras(Map<String, Object> out, List<Extra> extras, String where) {
        var seen = new HashMap<String, Integer>();
        for (var e : extras) {
            int n = seen.merge(e.keyword(), 1, Integer::sum);
            if (risky(e)) {
                out.put(e.keyword() + (n > 1 ? " (" + n + ")" : "") + where, e);
            }
        }
    }

    private static boolean risky(Extra e) {
        return RISKY_KEYWORD.matcher(e.keyword()).matches() || e.children().stream().anyMatch(Privileged::risky);
    }
}
