package dev.pharos.agent.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Set;

/// `global_defs` (keepalived's `global_parser.c`).
final class GlobalDefsParser {

    /// Keywords Pharos reads and writes back but does not act on (mail alerts).
    private static final Set<String> NO_EFFECT = Set.of("notification_email",
            "notification_email_from", "smtp_server", "smtp_connect_timeout");

    /// The range of `vrrp_garp_interval` and `vrrp_gna_interval`: 1 µs to 2³² − 1 µs.
    private static final Duration MIN_GARP_INTERVAL = Duration.ofNanos(1_000);
    private static final Duration MAX_GARP_INTERVAL = Duration.ofNanos(ConfigParser.UINT_MAX * 1_000);

    /// `SCHED_RR`'s priorities on Linux (`sched_get_priority_min/max`).
    private static final long RT_MIN = 1;
    private static final long RT_MAX = 99;

    private final Values values;

    GlobalDefsParser(Values values) {
        this.values = values;
    }

    GlobalDefs read(Node n) {
        var routerId = new String[1];
        var emails = new ArrayList<String>();
        var from = new String[1];
        var smtp = new String[1];
        var smtpTimeout = new Duration[1];
        var version = new Integer[1];
        var garpDelay = new Duration[1];
        var garpRepeat = new Integer[1];
        var garpRefresh = new Duration[1];
        var garpRefreshRepeat = new Integer[1];
        var gnaInterval = new Duration[1];
        var scriptSecurity = new Boolean[1];
        var scriptUser = new String[1];
        var syncDaemon = new LvsSyncDaemon[1];
        var rtPriority = new Integer[1];
        var noSwap = new Boolean[1];
        var extras = new BlockReader(values, "global_defs", Keywords.GLOBAL_DEFS)
                .words(Keywords.GLOBAL_DEFS_FLAGS, Keywords.GLOBAL_DEFS_ON_OFF)
                .on("router_id", c -> routerId[0] = values.string(c))
                .each("notification_email", c -> {
                    if (Structure.block(values, c, 0)) {
                        for (var line : c.children()) {
                            emails.add(line.name());
                            line.args().forEach(a -> emails.add(a.text()));
                        }
                    }
                })
                .on("notification_email_from", c -> from[0] = values.string(c))
                .on("smtp_server", c -> smtp[0] = Structure.joined(values, c))
                .on("smtp_connect_timeout", c -> smtpTimeout[0] = values.wholeSeconds(c, 0, ConfigParser.MAX_WHOLE_SECONDS))
                .on("vrrp_version", c -> version[0] = values.integer(c, 2, 3))
                .on("vrrp_garp_master_delay", c -> garpDelay[0] = values.wholeSeconds(c, 0, ConfigParser.MAX_WHOLE_SECONDS))
                .on("vrrp_garp_master_repeat", c -> garpRepeat[0] = values.integer(c, 1, Integer.MAX_VALUE))
                .on("vrrp_garp_master_refresh", c -> garpRefresh[0] = values.wholeSeconds(c, 0, ConfigParser.UINT_MAX))
                .on("vrrp_garp_master_refresh_repeat", c -> garpRefreshRepeat[0] = values.integer(c, 1, Integer.MAX_VALUE))
                // vrrp_garp_interval_handler, vrrp_gna_interval_handler: microseconds from 1 to
                // UINT_MAX (read_decimal_unsigned_strvec, 6 decimals); 0 is reported and ignored
                .kept("vrrp_garp_interval", c -> values.seconds(c, MIN_GARP_INTERVAL, MAX_GARP_INTERVAL))
                .on("vrrp_gna_interval", c -> gnaInterval[0] = values.seconds(c, MIN_GARP_INTERVAL, MAX_GARP_INTERVAL))
                .on("enable_script_security", c -> scriptSecurity[0] = values.flag(c))
                .on("script_user", c -> scriptUser[0] = values.userAndGroup(c))
                // lvs_syncd_handler: "already been specified ... ignoring"
                .first("lvs_sync_daemon", c -> syncDaemon[0] = new LvsSyncDaemonParser(values).read(c))
                .on("vrrp_rt_priority", c -> rtPriority[0] = rtPriority(c))
                .on("vrrp_no_swap", c -> noSwap[0] = values.flag(c))
                // the instances' defaults, read back from the extras by AdvertAnswers
                .carried("vrrp_lower_prio_no_advert", values::trueFalse)
                .carried("vrrp_higher_prio_send_advert", values::trueFalse)
                .read(n);
        for (var c : n.children()) {
            if (NO_EFFECT.contains(c.name())) {
                values.warning(c.position(), c.name() + " is kept but has no effect: Pharos sends no e-mail"
                        + " alerts");
            }
        }
        return new GlobalDefs(routerId[0], emails, from[0], smtp[0], smtpTimeout[0], version[0], garpDelay[0],
                garpRepeat[0], garpRefresh[0], garpRefreshRepeat[0], gnaInterval[0], scriptSecurity[0], scriptUser[0],
                syncDaemon[0], rtPriority[0], noSwap[0], extras);
    }

    /// A second `global_defs` block goes on where the first left off: keepalived runs the same
    /// handlers again on the same global data (global_parser.c), so a value given again replaces
    /// the earlier one, e-mail addresses add up, and the rest stays.
    static GlobalDefs merge(GlobalDefs a, GlobalDefs b) {
        var emails = new ArrayList<>(a.notificationEmail());
        emails.addAll(b.notificationEmail());
        var extras = new ArrayList<>(a.extras());
        extras.addAll(b.extras());
        return new GlobalDefs(or(b.routerId(), a.routerId()), emails,
                or(b.notificationEmailFrom(), a.notificationEmailFrom()), or(b.smtpServer(), a.smtpServer()),
                or(b.smtpConnectTimeout(), a.smtpConnectTimeout()), or(b.vrrpVersion(), a.vrrpVersion()),
                or(b.vrrpGarpMasterDelay(), a.vrrpGarpMasterDelay()), or(b.vrrpGarpMasterRepeat(), a.vrrpGarpMasterRepeat()),
                or(b.vrrpGarpMasterRefresh(), a.vrrpGarpMasterRefresh()),
                or(b.vrrpGarpMasterRefreshRepeat(), a.vrrpGarpMasterRefreshRepeat()),
                or(b.vrrpGnaInterval(), a.vrrpGnaInterval()),
                or(b.enableScriptSecurity(), a.enableScriptSecurity()), or(b.scriptUser(), a.scriptUser()),
                // keepalived's handler ignores a second lvs_sync_daemon, in another block too
                or(a.lvsSyncDaemon(), b.lvsSyncDaemon()), or(b.vrrpRtPriority(), a.vrrpRtPriority()),
                or(b.vrrpNoSwap(), a.vrrpNoSwap()), extras);
    }

    /// keepalived's get_realtime_priority (global_parser.c): a whole number, brought into
    /// `SCHED_RR`'s 1–99 with a complaint rather than refused (so `vrrp_rt_priority 0` is 1).
    private Integer rtPriority(Node c) {
        var t = values.single(c);
        var v = t == null ? null : values.longValue(t, c.name(), Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (v == null) {
            return null;
        }
        long clamped = Math.clamp(v, RT_MIN, RT_MAX);
        if (clamped != v) {
            values.warning(t.position(), c.name() + " " + v + " is outside " + RT_MIN + "–" + RT_MAX
                    + ", the priorities of SCHED_RR: keepalived uses " + clamped + ", and so does Pharos");
        }
        return (int) clamped;
    }

    private static <T> T or(T later, T earlier) {
        return later != null ? later : earlier;
    }
}
