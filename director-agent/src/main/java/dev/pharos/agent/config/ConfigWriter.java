package dev.pharos.agent.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/// Writes the model back as keepalived.conf: canonical spelling of every keyword, four-space
/// indentation, values only where the model has them, kept [Extra] statements verbatim.
/// What it writes loads back into an equal model, and real keepalived accepts it.
public final class ConfigWriter {

    private final StringBuilder out = new StringBuilder();
    private int depth;
    /// See [#write(KeepalivedConfig, Map, Map)]; null when every block is written.
    private Map<VirtualServerDef, String> previous;
    private Map<VirtualServerDef, String> written;

    private ConfigWriter() {
    }

    public static String write(KeepalivedConfig c) {
        var w = new ConfigWriter();
        w.config(c);
        return w.out.toString();
    }

    /// [#write(KeepalivedConfig)], taking a virtual server's text from `previous` when the same
    /// object is there (keyed by identity: a reload reuses the models of the blocks it did not
    /// parse again), and putting every virtual server's text in `written` for the next time.
    public static String write(KeepalivedConfig c, Map<VirtualServerDef, String> previous,
            Map<VirtualServerDef, String> written) {
        var w = new ConfigWriter();
        w.previous = previous;
        w.written = written;
        w.config(c);
        return w.out.toString();
    }

    /// One `virtual_server` block as [#write] writes it, at the top level (for an edit that adds it to a file).
    public static String writeVirtualServer(VirtualServerDef vs) {
        var w = new ConfigWriter();
        w.virtualServer(vs);
        return w.out.toString();
    }

    /// A setting's value as [#write] spells it (durations in seconds, names as words).
    public static String value(Object value) {
        return switch (value) {
            case Duration d -> Values.format(d);
            case String s -> word(s);
            default -> value.toString();
        };
    }

    /// One `real_server` block as [#write] writes it, unindented (for an edit that adds it to a file).
    public static String writeRealServer(RealServerDef rs) {
        var w = new ConfigWriter();
        w.realServer(rs);
        return w.out.toString();
    }

    /// What [#write] writes before the virtual servers; [#write] is that, then for each virtual
    /// server a blank line and [#writeVirtualServer] (an edit of one virtual server rewrites only its own).
    public static String writeHead(KeepalivedConfig c) {
        var w = new ConfigWriter();
        w.head(c);
        return w.out.toString();
    }

    private void config(KeepalivedConfig c) {
        head(c);
        for (var vs : c.virtualServers()) {
            blank();
            if (written == null) {
                virtualServer(vs);
            } else {
                var text = previous.get(vs);
                if (text == null) {
                    text = writeVirtualServer(vs);
                }
                written.put(vs, text);
                out.append(text);
            }
        }
    }

    private void head(KeepalivedConfig c) {
        out.append("! Written by Pharos. keepalived.conf syntax.\n");
        if (!c.globalDefs().isEmpty()) {
            blank();
            globalDefs(c.globalDefs());
        }
        for (var s : c.vrrpScripts()) {
            blank();
            script(s);
        }
        // Blocks Pharos keeps without acting on (vrrp_track_process, vrrp_track_file, bfd_instance,
        // static routes…) go before the instances: keepalived 2.2.7 looks a tracked name up while
        // reading the instance, so a definition written after it is "not found".
        if (!c.extras().isEmpty()) {
            blank();
            extras(c.extras());
        }
        for (var g : c.syncGroups()) {
            blank();
            syncGroup(g);
        }
        for (var i : c.vrrpInstances()) {
            blank();
            instance(i);
        }
        for (var g : c.virtualServerGroups()) {
            blank();
            open("virtual_server_group " + word(g.name()));
            for (var m : g.members()) {
                switch (m) {
                    case VirtualServerGroupDef.Member.Address a -> line(addr(a.address()) + " " + a.port());
                    case VirtualServerGroupDef.Member.Range r -> line(addr(r.first()) + "-"
                            + (r.first() instanceof Inet4Address ? Integer.toString(r.last())
                                    : Integer.toHexString(r.last())) + " " + r.port());
                    case VirtualServerGroupDef.Member.Fwmark f -> line("fwmark " + f.mark());
                }
            }
            close();
        }
    }

    private void globalDefs(GlobalDefs g) {
        open("global_defs");
        opt("router_id", g.routerId());
        if (!g.notificationEmail().isEmpty()) {
            open("notification_email");
            g.notificationEmail().forEach(e -> line(word(e)));
            close();
        }
        opt("notification_email_from", g.notificationEmailFrom());
        raw("smtp_server", g.smtpServer());
        opt("smtp_connect_timeout", g.smtpConnectTimeout());
        opt("vrrp_version", g.vrrpVersion());
        opt("vrrp_garp_master_delay", g.vrrpGarpMasterDelay());
        opt("vrrp_garp_master_repeat", g.vrrpGarpMasterRepeat());
        opt("vrrp_garp_master_refresh", g.vrrpGarpMasterRefresh());
        opt("vrrp_garp_master_refresh_repeat", g.vrrpGarpMasterRefreshRepeat());
        opt("vrrp_gna_interval", g.vrrpGnaInterval());
        if (Boolean.TRUE.equals(g.enableScriptSecurity())) {
            line("enable_script_security");
        }
        raw("script_user", g.scriptUser());
        if (g.lvsSyncDaemon() != null) {
            raw("lvs_sync_daemon", g.lvsSyncDaemon().words());
        }
        opt("vrrp_rt_priority", g.vrrpRtPriority());
        if (Boolean.TRUE.equals(g.vrrpNoSwap())) {
            line("vrrp_no_swap");
        }
        extras(g.extras());
        close();
    }

    private void script(VrrpScriptDef s) {
        open("vrrp_script " + word(s.name()));
        raw("script", s.script() == null ? null : ScriptLine.quoted(s.script()));
        opt("interval", s.interval());
        opt("timeout", s.timeout());
        if (s.weight() != null) {
            line("weight " + s.weight() + (Boolean.TRUE.equals(s.weightReverse()) ? " reverse" : ""));
        }
        opt("rise", s.rise());
        opt("fall", s.fall());
        raw("user", s.user());
        close();
    }

    private void syncGroup(SyncGroupDef g) {
        open("vrrp_sync_group " + word(g.name()));
        open("group");
        g.group().forEach(m -> line(word(m)));
        close();
        trackInterfaces(g.trackInterfaces());
        trackScripts(g.trackScripts());
        command("notify_master", g.notifyMaster());
        command("notify_backup", g.notifyBackup());
        command("notify_fault", g.notifyFault());
        command("notify_stop", g.notifyStop());
        command("notify", g.notifyGeneric());
        bool("smtp_alert", g.smtpAlert());
        extras(g.extras());
        close();
    }

    private void instance(VrrpInstanceDef i) {
        open("vrrp_instance " + word(i.name()));
        if (i.state() != null) {
            line("state " + i.state());
        }
        opt("interface", i.interfaceName());
        opt("virtual_router_id", i.virtualRouterId());
        opt("priority", i.priority());
        opt("advert_int", i.advertInterval());
        opt("version", i.version());
        if (i.nopreempt()) {
            line("nopreempt");
        }
        opt("preempt_delay", i.preemptDelay());
        if (i.mcastSrcIp() != null) {
            line("mcast_src_ip " + addr(i.mcastSrcIp()));
        }
        if (i.unicastSrcIp() != null) {
            line("unicast_src_ip " + addr(i.unicastSrcIp()));
        }
        if (!i.unicastPeers().isEmpty()) {
            open("unicast_peer");
            i.unicastPeers().forEach(p -> line(addr(p.address()) + (p.minTtl() == null ? "" : " min_ttl " + p.minTtl())
                    + (p.maxTtl() == null ? "" : " max_ttl " + p.maxTtl())));
            close();
        }
        if (i.dontTrackPrimary()) {
            line("dont_track_primary");
        }
        if (i.nativeIpv6()) {
            line("native_ipv6"); // before the addresses: after an IPv4 one keepalived refuses it
        }
        if (i.authentication() != null) {
            open("authentication");
            line("auth_type " + i.authentication().type());
            line("auth_pass " + word(i.authentication().password()));
            close();
        }
        if (i.authHmac() != null) {
            var h = i.authHmac();
            open("auth_hmac");
            h.keys().forEach(k -> line("key " + k.id() + " " + word(k.value())));
            line("active_key " + h.activeKey());
            if (h.timeWindow() != null) {
                line("time_window " + h.timeWindow());
            }
            if (h.antiReplay() != null) {
                line("anti_replay " + h.antiReplay().name().toLowerCase(Locale.ROOT));
            }
            if (h.mode() != null) {
                line("mode " + h.mode().keyword());
            }
            close();
        }
        vips("virtual_ipaddress", i.virtualIpAddresses());
        vips("virtual_ipaddress_excluded", i.virtualIpAddressesExcluded());
        trackInterfaces(i.trackInterfaces());
        trackScripts(i.trackScripts());
        command("notify_master", i.notifyMaster());
        command("notify_backup", i.notifyBackup());
        command("notify_fault", i.notifyFault());
        command("notify_stop", i.notifyStop());
        command("notify", i.notifyGeneric());
        opt("garp_master_delay", i.garpMasterDelay());
        opt("garp_master_repeat", i.garpMasterRepeat());
        opt("garp_master_refresh", i.garpMasterRefresh());
        opt("garp_master_refresh_repeat", i.garpMasterRefreshRepeat());
        bool("smtp_alert", i.smtpAlert());
        if (i.accept() != null) {
            line(i.accept() ? "accept" : "no_accept");
        }
        extras(i.extras());
        close();
    }

    private void vips(String keyword, List<VrrpInstanceDef.Vip> vips) {
        if (vips.isEmpty()) {
            return;
        }
        open(keyword);
        for (var v : vips) {
            var sb = new StringBuilder(addr(v.address()));
            if (v.prefixLength() != null) {
                sb.append('/').append(v.prefixLength());
            }
            if (v.broadcast() != null) {
                sb.append(" brd ").append(addr(v.broadcast()));
            }
            if (v.dev() != null) {
                sb.append(" dev ").append(word(v.dev()));
            }
            if (v.scope() != null) {
                sb.append(" scope ").append(word(v.scope()));
            }
            if (v.label() != null) {
                sb.append(" label ").append(word(v.label()));
            }
            line(sb.toString());
        }
        close();
    }

    private void trackInterfaces(List<VrrpInstanceDef.TrackInterface> list) {
        tracks("track_interface", list.stream().map(t -> track(t.name(), t.weight(), t.reverse() ? true : null))
                .toList());
    }

    private void trackScripts(List<VrrpInstanceDef.TrackScript> list) {
        tracks("track_script", list.stream().map(t -> track(t.name(), t.weight(), t.reverse())).toList());
    }

    /// `reverse` and `noreverse` follow the weight (vrrp_track.c); the records hold no reverse
    /// option without a weight.
    private static String track(String name, Integer weight, Boolean reverse) {
        return word(name) + (weight == null ? "" : " weight " + weight)
                + (reverse == null ? "" : reverse ? " reverse" : " noreverse");
    }

    private void tracks(String keyword, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        open(keyword);
        lines.forEach(this::line);
        close();
    }

    private void virtualServer(VirtualServerDef vs) {
        open("virtual_server " + switch (vs.key()) {
            case VirtualServerDef.Key.Address a -> addr(a.address()) + " " + a.port();
            case VirtualServerDef.Key.Fwmark f -> "fwmark " + f.mark();
            case VirtualServerDef.Key.Group g -> "group " + word(g.name());
        });
        opt("delay_loop", vs.delayLoop());
        opt("lb_algo", vs.lbAlgo());
        if (vs.lbKind() != null) {
            line("lb_kind " + vs.lbKind());
        }
        opt("persistence_timeout", vs.persistenceTimeout());
        if (vs.persistenceGranularity() != null) {
            line("persistence_granularity " + granularity(vs.persistenceGranularity()));
        }
        if (vs.protocol() != null) {
            line("protocol " + vs.protocol());
        }
        opt("quorum", vs.quorum());
        opt("hysteresis", vs.hysteresis());
        command("quorum_up", vs.quorumUp());
        command("quorum_down", vs.quorumDown());
        if (vs.sorryServer() != null) {
            line("sorry_server " + addr(vs.sorryServer().address()) + " " + vs.sorryServer().port());
        }
        flag("sorry_server_inhibit", vs.sorryServerInhibit());
        flag("alpha", vs.alpha());
        flag("omega", vs.omega());
        flag("inhibit_on_failure", vs.inhibitOnFailure());
        opt("virtualhost", vs.virtualhost());
        flag("ha_suspend", vs.haSuspend());
        flag("ops", vs.ops());
        // after lb_algo, which keepalived reads sh-port and mh-port against
        for (var f : vs.schedulerFlags()) {
            line(f.keyword(vs.lbAlgo()));
        }
        opt("retry", vs.retry());
        opt("delay_before_retry", vs.delayBeforeRetry());
        opt("warmup", vs.warmup());
        opt("connect_timeout", vs.connectTimeout());
        extras(vs.extras());
        for (var rs : vs.realServers()) {
            realServer(rs);
        }
        close();
    }

    private void realServer(RealServerDef rs) {
        open("real_server " + addr(rs.address()) + (rs.port() == null ? "" : " " + rs.port()));
        opt("weight", rs.weight());
        if (rs.lbKind() != null) {
            // keepalived 2.2.7 knows only the old spelling inside a real_server
            line("lvs_method " + rs.lbKind());
        }
        flag("inhibit_on_failure", Boolean.TRUE.equals(rs.inhibitOnFailure()));
        command("notify_up", rs.notifyUp());
        command("notify_down", rs.notifyDown());
        opt("uthreshold", rs.upperThreshold());
        opt("lthreshold", rs.lowerThreshold());
        flag("alpha", Boolean.TRUE.equals(rs.alpha()));
        opt("retry", rs.retry());
        opt("delay_before_retry", rs.delayBeforeRetry());
        opt("warmup", rs.warmup());
        opt("connect_timeout", rs.connectTimeout());
        opt("delay_loop", rs.delayLoop());
        extras(rs.extras());
        for (var c : rs.checkers()) {
            checker(c);
        }
        close();
    }

    private void checker(CheckerDef c) {
        switch (c) {
            case CheckerDef.Http h -> {
                open(h.ssl() ? "SSL_GET" : "HTTP_GET");
                for (var u : h.urls()) {
                    open("url");
                    raw("path", word(u.path()));
                    opt("digest", u.digest());
                    if (!u.statusCodes().isEmpty()) {
                        line("status_code " + String.join(" ", u.statusCodes().stream().map(Object::toString).toList()));
                    }
                    opt("virtualhost", u.virtualhost());
                    close();
                }
                opt("virtualhost", h.virtualhost());
                opt("http_protocol", h.httpProtocol());
                bool("enable_sni", h.enableSni());
                opt("sni_name", h.sniName());
                common(h.common());
                extras(h.extras());
                close();
            }
            case CheckerDef.Tcp t -> {
                open("TCP_CHECK");
                common(t.common());
                extras(t.extras());
                close();
            }
            case CheckerDef.Misc m -> {
                open("MISC_CHECK");
                raw("misc_path", ScriptLine.quoted(m.miscPath()));
                opt("misc_timeout", m.miscTimeout());
                flag("misc_dynamic", m.miscDynamic());
                raw("user", m.user());
                common(m.common());
                extras(m.extras());
                close();
            }
            case CheckerDef.Dns d -> {
                open("DNS_CHECK");
                opt("type", d.type());
                opt("name", d.name());
                common(d.common());
                extras(d.extras());
                close();
            }
        }
    }

    private void common(CheckerDef.Common c) {
        if (c.connectIp() != null) {
            line("connect_ip " + addr(c.connectIp()));
        }
        opt("connect_port", c.connectPort());
        if (c.bindTo() != null) {
            line("bindto " + addr(c.bindTo()));
        }
        opt("bind_port", c.bindPort());
        opt("connect_timeout", c.connectTimeout());
        opt("retry", c.retry());
        opt("delay_before_retry", c.delayBeforeRetry());
        opt("warmup", c.warmup());
        opt("delay_loop", c.delayLoop());
        if (c.fwmark() != null) {
            line("fwmark " + c.fwmark());
        }
        bool("alpha", c.alpha());
        bool("log_all_failures", c.logAllFailures());
    }

    private void extras(List<Extra> extras) {
        for (var e : extras) {
            var head = e.keyword() + (e.args().isEmpty() ? "" : " " + String.join(" ", e.args().stream().map(ConfigWriter::word).toList()));
            if (!e.block()) {
                line(head);
            } else {
                open(head);
                extras(e.children());
                close();
            }
        }
    }

    // ---- primitives

    private void blank() {
        out.append('\n');
    }

    private void open(String head) {
        line(head + " {");
        depth++;
    }

    private void close() {
        depth--;
        line("}");
    }

    private void line(String s) {
        out.append("    ".repeat(depth)).append(s).append('\n');
    }

    private void opt(String keyword, Object value) {
        if (value == null) {
            return;
        }
        line(keyword + " " + switch (value) {
            case Duration d -> Values.format(d);
            case String s -> word(s);
            default -> value.toString();
        });
    }

    /// A value written as is (already quoted or several words).
    private void raw(String keyword, String value) {
        if (value != null) {
            line(keyword + " " + value);
        }
    }

    /// A notify line, kept in keepalived's written form (command, user, group; see [ScriptLine]).
    private void command(String keyword, String value) {
        raw(keyword, value);
    }

    private void flag(String keyword, boolean on) {
        if (on) {
            line(keyword);
        }
    }

    private void bool(String keyword, Boolean value) {
        if (value != null) {
            line(value ? keyword : keyword + " false");
        }
    }

    private static String addr(InetAddress a) {
        return Values.format(a);
    }

    /// A word as the lexer will read it back: quoted when it has blanks, braces, quotes or comment characters.
    static String word(String s) {
        if (s.isEmpty() || s.chars().anyMatch(ch -> ch == ' ' || ch == '\t' || ch == '{' || ch == '}' || ch == '"'
                || ch == '!' || ch == '#' || ch == '\\')) {
            return Values.quote(s);
        }
        return s;
    }

    /// An IPv4 granularity as its netmask; an IPv6 one as its prefix length (keepalived 2.2.7 reads
    /// a number there for an IPv6 service, `check_parser.c`'s persistence_granularity handler).
    private static String granularity(InetAddress mask) {
        if (mask instanceof Inet4Address) {
            return addr(mask);
        }
        int bits = 0;
        for (byte b : mask.getAddress()) {
            bits += Integer.bitCount(b & 0xff);
        }
        return Integer.toString(bits);
    }
}
