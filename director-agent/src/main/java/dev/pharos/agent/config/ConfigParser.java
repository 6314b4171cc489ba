package dev.pharos.agent.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/// Turns the block tree into the model: the top level, `vrrp_script`, `vrrp_sync_group` and
/// `vrrp_instance`; [GlobalDefsParser] reads `global_defs`, [VirtualServerParser] the LVS side and
/// [TrackReferences] resolves track lines in file order.
final class ConfigParser {

    static final Duration MAX_SECONDS = Duration.ofDays(365);

    /// keepalived 2.2.7 keeps times read as whole seconds in microseconds of an unsigned int, so
    /// `read_unsigned_strvec` bounds them at UINT_MAX / TIMER_HZ = 4294 s.
    static final long MAX_WHOLE_SECONDS = 4294;

    static final long UINT_MAX = 0xFFFF_FFFFL;

    private final Values values;
    private final Validator.Positions positions = new Validator.Positions();
    private final TrackReferences references;
    private final KeptRoutes kept;
    private final InstanceLines lines;
    private final BfdParser bfd;
    private final List<Diagnostic> diagnostics;
    /// The previous parse's blocks to reuse, or null.
    private final ParseCache cache;
    /// How many names the parse looked up so far: a block that looked one up is not reused.
    private int lookups;

    private ConfigParser(List<Diagnostic> diagnostics, ParseCache cache) {
        this.diagnostics = diagnostics;
        this.cache = cache;
        this.values = new Values(diagnostics);
        this.references = new TrackReferences(values);
        this.kept = new KeptRoutes(values);
        this.lines = new InstanceLines(values);
        this.bfd = new BfdParser(values);
    }

    /// The model and where each of its blocks stands; errors and warnings go to `diagnostics`.
    static Parsed parse(List<Node> nodes, List<Diagnostic> diagnostics) {
        return parse(nodes, diagnostics, null);
    }

    /// [#parse(List, List)] reusing the `virtual_server` blocks of the parse before that `cache`
    /// kept, and keeping this parse's for the next (see [ParseCache]).
    static Parsed parse(List<Node> nodes, List<Diagnostic> diagnostics, ParseCache cache) {
        if (cache == null) {
            return new ConfigParser(diagnostics, null).top(nodes);
        }
        cache.begin(nodes);
        try {
            return new ConfigParser(diagnostics, cache).top(nodes);
        } finally {
            cache.end();
        }
    }

    record Parsed(KeepalivedConfig config, Map<Object, Position> positions) {
    }

    private Parsed top(List<Node> nodes) {
        var global = new GlobalDefs[] {GlobalDefs.EMPTY};
        var scripts = new ArrayList<VrrpScriptDef>();
        var groups = new ArrayList<SyncGroupDef>();
        var instances = new ArrayList<VrrpInstanceDef>();
        var vsGroups = new ArrayList<VirtualServerGroupDef>();
        var servers = new ArrayList<VirtualServerDef>();
        var lvs = new VirtualServerParser(values, positions, (name, kind, where, keyword) -> {
            lookups++;
            return references.check(name, kind, where, keyword);
        });
        var root = new Node(new Token(Token.Kind.WORD, "top level", false, null), List.of(), nodes);
        references.scan(nodes);
        var extras = new BlockReader(values, "the top level", Keywords.TOP_LEVEL)
                .kept("vrrp_track_process", references::define)
                .kept("track_file", references::define)
                .kept("vrrp_track_file", references::define)
                .carried("bfd_instance", n -> {
                    bfd.instance(n);
                    references.define(n);
                })
                .kept("static_routes", kept::routes)
                .kept("static_rules", kept::rules)
                .each("global_defs", n -> {
                    if (block(n, 0)) {
                        global[0] = GlobalDefsParser.merge(global[0], new GlobalDefsParser(values).read(n));
                    }
                })
                .each("vrrp_script", n -> {
                    if (block(n, 1)) {
                        scripts.add(remember(script(n), n));
                        references.define(n);
                    }
                })
                .each("vrrp_sync_group", n -> {
                    if (block(n, 1)) {
                        groups.add(remember(syncGroup(n), n));
                    }
                })
                .each("vrrp_instance", n -> {
                    if (block(n, 1)) {
                        instances.add(remember(instance(n), n));
                    }
                })
                .each("virtual_server_group", n -> {
                    if (block(n, 1)) {
                        vsGroups.add(remember(lvs.group(n), n));
                    }
                })
                .each("virtual_server", n -> {
                    var vs = virtualServer(lvs, n);
                    if (vs != null) {
                        servers.add(vs);
                    }
                })
                .read(root);
        var config = new KeepalivedConfig(global[0], scripts, groups, instances, vsGroups, servers, extras);
        return new Parsed(config, positions);
    }

    /// A `virtual_server` block's model (null when refused), from the cache when its text is there.
    private VirtualServerDef virtualServer(VirtualServerParser lvs, Node n) {
        var key = cache == null ? null : cache.key(n);
        if (key == null) {
            return parseVirtualServer(lvs, n);
        }
        var at = n.position();
        var hit = cache.take(key, at);
        if (hit != null) {
            diagnostics.addAll(ParseCache.moved(hit.findings(), hit.at(), at));
            positions.replayLater(hit.positions(), hit.at(), at);
            cache.keep(hit); // its findings and positions stay relative to where it first was
            return hit.model();
        }
        int from = diagnostics.size();
        int lookupsBefore = lookups;
        var recorded = new ArrayList<Validator.Positions.Recorded>();
        positions.journal = recorded;
        VirtualServerDef vs;
        try {
            vs = parseVirtualServer(lvs, n);
        } finally {
            positions.journal = null;
        }
        var findings = List.copyOf(diagnostics.subList(from, diagnostics.size()));
        if (lookups == lookupsBefore && ParseCache.allIn(at.file(), findings, recorded)) {
            cache.keep(new ParseCache.Block(key, at, vs, findings, List.copyOf(recorded)));
        }
        return vs;
    }

    private VirtualServerDef parseVirtualServer(VirtualServerParser lvs, Node n) {
        var vs = lvs.virtualServer(n);
        return vs == null ? null : remember(vs, n);
    }

    private <T> T remember(T model, Node n) {
        positions.put(model, n.position());
        return model;
    }

    /// Checks that `n` is a block with exactly `names` words after its keyword.
    boolean block(Node n, int names) {
        return Structure.block(values, n, names);
    }

    private VrrpScriptDef script(Node n) {
        var name = n.args().getFirst().text();
        var script = new String[1];
        var interval = new Duration[1];
        var timeout = new Duration[1];
        var weight = new Integer[1];
        var reverse = new Boolean[1];
        var rise = new Integer[1];
        var fall = new Integer[1];
        var user = new String[1];
        var extras = new BlockReader(values, "vrrp_script " + name, Keywords.VRRP_SCRIPT)
                .words(Keywords.VRRP_SCRIPT_FLAGS, Set.of())
                .on("script", c -> script[0] = values.commandLine(c))
                .on("interval", c -> interval[0] = values.wholeSeconds(c, 1, MAX_WHOLE_SECONDS))
                .on("timeout", c -> timeout[0] = values.wholeSeconds(c, 1, MAX_WHOLE_SECONDS))
                .on("weight", c -> {
                    // vrrp_vscript_weight_handler: the weight, then optionally "reverse"
                    if (c.args().size() >= 2 && !c.args().get(1).isWord("reverse")) {
                        values.error(c.args().get(1).position(), "unknown weight option '" + c.args().get(1).text()
                                + "': after the weight keepalived reads only reverse");
                    } else if (c.args().size() >= 2) {
                        weight[0] = values.integer(c.args().getFirst(), "weight", -253, 253);
                        reverse[0] = Boolean.TRUE;
                    } else {
                        weight[0] = values.integer(c, -253, 253);
                    }
                })
                .on("rise", c -> rise[0] = values.integer(c, 1, Integer.MAX_VALUE))
                .on("fall", c -> fall[0] = values.integer(c, 1, Integer.MAX_VALUE))
                .on("user", c -> user[0] = values.userAndGroup(c))
                .read(n);
        if (script[0] == null) {
            values.error(n.position(), "vrrp_script " + name + " has no script line");
        }
        return new VrrpScriptDef(name, script[0], interval[0], timeout[0], weight[0], reverse[0], rise[0], fall[0],
                user[0]);
    }

    private SyncGroupDef syncGroup(Node n) {
        var name = n.args().getFirst().text();
        var members = new ArrayList<String>();
        var notify = new String[5];
        var trackIf = new ArrayList<VrrpInstanceDef.TrackInterface>();
        var trackScripts = new ArrayList<VrrpInstanceDef.TrackScript>();
        var smtp = new Boolean[1];
        var memberAt = new HashMap<String, Position>();
        var where = "vrrp_sync_group " + name;
        var extras = new BlockReader(values, where, Keywords.SYNC_GROUP)
                .words(Keywords.SYNC_GROUP_FLAGS, Keywords.SYNC_GROUP_ON_OFF)
                .first("group", c -> {
                    if (Structure.block(values, c, 0)) {
                        for (var line : c.children()) {
                            members.add(line.name());
                            memberAt.put(line.name(), line.position());
                            line.args().forEach(a -> {
                                members.add(a.text());
                                memberAt.put(a.text(), a.position());
                            });
                        }
                    }
                })
                .first("notify_master", c -> notify[0] = values.notifyLine(c))
                .first("notify_backup", c -> notify[1] = values.notifyLine(c))
                .first("notify_fault", c -> notify[2] = values.notifyLine(c))
                .first("notify_stop", c -> notify[3] = values.notifyLine(c))
                .first("notify", c -> notify[4] = values.notifyLine(c))
                .each("track_interface", c -> trackInterfaces(c, trackIf, where))
                .each("track_script", c -> trackScripts(c, trackScripts, where))
                .kept("track_process", c -> references.block(c, "vrrp_track_process", where))
                .kept("track_file", c -> references.block(c, "track_file", where))
                .kept("track_bfd", c -> references.block(c, "bfd_instance", where))
                .on("smtp_alert", c -> {
                    smtp[0] = values.trueFalse(c);
                    values.warning(c.position(), "smtp_alert is kept but has no effect: Pharos sends no e-mail alerts");
                })
                .read(n);
        if (members.isEmpty()) {
            values.error(n.position(), "vrrp_sync_group " + name + " has no group { … } of instances");
        }
        var def = new SyncGroupDef(name, members, notify[0], notify[1], notify[2], notify[3], notify[4], trackIf,
                trackScripts, smtp[0], extras);
        memberAt.forEach((member, at) -> positions.statement(def, "group " + member, at));
        return def;
    }

    private VrrpInstanceDef instance(Node n) {
        var name = n.args().getFirst().text();
        var b = new InstanceFields();
        var where = "vrrp_instance " + name;
        var reader = new BlockReader(values, where, Keywords.VRRP_INSTANCE)
                .words(Keywords.VRRP_INSTANCE_FLAGS, Keywords.VRRP_INSTANCE_ON_OFF);
        var extras = reader
                // vrrp_state_handler: once MASTER, a later BACKUP is refused; anything else sets the state
                .each("state", c -> {
                    var s = values.string(c);
                    if (s != null) {
                        switch (s) {
                            case "MASTER" -> b.state = VrrpInstanceDef.State.MASTER;
                            case "BACKUP" -> {
                                if (b.state == VrrpInstanceDef.State.MASTER) {
                                    values.warning(c.args().getFirst().position(), "state MASTER was given before in "
                                            + where + "; keepalived keeps MASTER and ignores this BACKUP, and so does Pharos");
                                } else {
                                    b.state = VrrpInstanceDef.State.BACKUP;
                                }
                            }
                            default -> values.error(c.args().getFirst().position(),
                                    "state must be MASTER or BACKUP, not '" + s + "'");
                        }
                    }
                })
                .on("interface", c -> {
                    // vrrp_int_handler ignores a name it refuses, keeping an earlier one
                    var ifname = interfaceName(c);
                    if (ifname != null) {
                        b.interfaceName = ifname;
                    }
                })
                .on("virtual_router_id", c -> {
                    b.vridGiven = true;
                    b.vrid = values.integer(c, 1, 255);
                })
                .on("priority", c -> b.priority = values.integer(c, 1, 255))
                .on("advert_int", c -> b.advertInt = values.seconds(c, Duration.ofMillis(10), Duration.ofMillis(255_000)))
                .first("version", c -> b.version = values.integer(c, 2, 3))
                .each("authentication", c -> b.auth.read(values, c, where))
                .each("auth_hmac", c -> b.authHmac.read(values, c, where))
                .each("virtual_ipaddress", c -> b.vips.addAll(vips(c)))
                .each("virtual_ipaddress_excluded", c -> b.excluded.addAll(vips(c)))
                .on("nopreempt", c -> b.nopreempt = values.flag(c))
                .on("preempt", c -> {
                    if (values.flag(c)) {
                        b.nopreempt = false;
                    }
                })
                .on("preempt_delay", c -> b.preemptDelay = values.seconds(c, Duration.ZERO, Duration.ofSeconds(1000)))
                .on("unicast_src_ip", c -> b.unicastSrc = values.address(c))
                .on("mcast_src_ip", c -> b.mcastSrc = values.address(c))
                .each("unicast_peer", c -> {
                    if (Structure.block(values, c, 0)) {
                        for (var line : c.children()) {
                            var peer = lines.unicastPeer(line, where);
                            if (peer != null) {
                                b.peers.add(peer);
                            }
                        }
                    }
                })
                .each("track_interface", c -> trackInterfaces(c, b.trackIf, where))
                .each("track_script", c -> trackScripts(c, b.trackScripts, where))
                .kept("track_process", c -> references.block(c, "vrrp_track_process", where))
                .kept("track_file", c -> references.block(c, "track_file", where))
                .carried("track_bfd", c -> bfd.tracks(references.block(c, "bfd_instance", where), where))
                .kept("virtual_routes", kept::routes)
                .kept("virtual_rules", kept::rules)
                .first("notify_master", c -> b.notifyMaster = values.notifyLine(c))
                .first("notify_backup", c -> b.notifyBackup = values.notifyLine(c))
                .first("notify_fault", c -> b.notifyFault = values.notifyLine(c))
                .first("notify_stop", c -> b.notifyStop = values.notifyLine(c))
                .first("notify", c -> b.notify = values.notifyLine(c))
                .on("garp_master_delay", c -> b.garpDelay = values.wholeSeconds(c, 0, MAX_WHOLE_SECONDS))
                .on("garp_master_repeat", c -> b.garpRepeat = values.integer(c, 1, Integer.MAX_VALUE))
                .on("garp_master_refresh", c -> b.garpRefresh = values.wholeSeconds(c, 0, UINT_MAX))
                .on("garp_master_refresh_repeat", c -> b.garpRefreshRepeat = values.integer(c, 1, Integer.MAX_VALUE))
                .on("smtp_alert", c -> {
                    b.smtpAlert = values.trueFalse(c);
                    values.warning(c.position(), "smtp_alert is kept but has no effect: Pharos sends no e-mail alerts");
                })
                .on("accept", c -> b.accept = values.flag(c) ? Boolean.TRUE : null)
                .on("no_accept", c -> b.accept = values.flag(c) ? Boolean.FALSE : null)
                .on("dont_track_primary", c -> b.dontTrackPrimary = values.flag(c))
                .on("native_ipv6", c -> b.nativeIpv6 = values.flag(c))
                // read back from the extras by AdvertAnswers, which strict mode also decides
                .carried("lower_prio_no_advert", values::trueFalse)
                .carried("higher_prio_send_advert", values::trueFalse)
                .read(n);
        if (b.interfaceName == null) {
            values.error(n.position(), where + " has no interface line; say which interface carries its adverts");
        }
        if (!b.vridGiven) {
            values.error(n.position(), where + " has no virtual_router_id (1–255)");
        }
        var def = new VrrpInstanceDef(name, b.state, b.interfaceName, b.vrid, b.priority, b.advertInt, b.version,
                b.auth.complete(values, where), b.authHmac.complete(values, where),
                b.vips, b.excluded, b.nopreempt, b.preemptDelay, b.unicastSrc, b.peers, b.mcastSrc, b.trackIf,
                b.trackScripts, b.notifyMaster, b.notifyBackup, b.notifyFault, b.notifyStop, b.notify, b.garpDelay,
                b.garpRepeat, b.garpRefresh, b.garpRefreshRepeat, b.smtpAlert, b.accept, b.dontTrackPrimary,
                b.nativeIpv6, extras);
        for (var keyword : List.of("state", "virtual_router_id", "advert_int", "version", "authentication",
                "auth_hmac", "lower_prio_no_advert", "higher_prio_send_advert")) {
            positions.statement(def, keyword, reader.position(keyword));
        }
        return def;
    }

    /// vrrp_int_handler: a name of IFNAMSIZ (16) characters or more is reported and ignored.
    private String interfaceName(Node c) {
        var t = values.single(c);
        if (t != null && t.text().length() >= 16) {
            values.error(t.position(), "interface name '" + t.text() + "' is too long: Linux names have at most 15"
                    + " characters");
            return null;
        }
        return t == null ? null : t.text();
    }

    /// Mutable fields while one `vrrp_instance` is read.
    private static final class InstanceFields {
        VrrpInstanceDef.State state;
        String interfaceName;
        Integer vrid;
        boolean vridGiven;
        Integer priority;
        Duration advertInt;
        Integer version;
        final AuthenticationBlocks auth = new AuthenticationBlocks();
        final AuthHmacBlocks authHmac = new AuthHmacBlocks();
        final List<VrrpInstanceDef.Vip> vips = new ArrayList<>();
        final List<VrrpInstanceDef.Vip> excluded = new ArrayList<>();
        boolean nopreempt;
        Duration preemptDelay;
        InetAddress unicastSrc;
        InetAddress mcastSrc;
        final List<VrrpInstanceDef.UnicastPeer> peers = new ArrayList<>();
        final List<VrrpInstanceDef.TrackInterface> trackIf = new ArrayList<>();
        final List<VrrpInstanceDef.TrackScript> trackScripts = new ArrayList<>();
        String notifyMaster;
        String notifyBackup;
        String notifyFault;
        String notifyStop;
        String notify;
        Duration garpDelay;
        Integer garpRepeat;
        Duration garpRefresh;
        Integer garpRefreshRepeat;
        Boolean smtpAlert;
        Boolean accept;
        boolean dontTrackPrimary;
        boolean nativeIpv6;
    }

    private List<VrrpInstanceDef.Vip> vips(Node n) {
        var out = new ArrayList<VrrpInstanceDef.Vip>();
        if (!Structure.block(values, n, 0)) {
            return out;
        }
        for (var line : n.children()) {
            if (line.isBlock()) {
                values.error(line.position(), "unexpected block in " + n.name() + ": one address per line");
                continue;
            }
            var vip = vip(line, n.name());
            if (vip != null) {
                out.add(vip);
            }
        }
        return out;
    }

    private VrrpInstanceDef.Vip vip(Node line, String where) {
        var first = line.keyword();
        var text = first.text();
        Integer prefix = null;
        int slash = text.indexOf('/');
        var addrText = slash < 0 ? text : text.substring(0, slash);
        var address = Values.parseAddress(addrText);
        if (address == null) {
            values.error(first.position(), where + ": '" + text + "' is not an address (ADDR[/PREFIX] [dev IFACE] [label LABEL] …)");
            return null;
        }
        if (slash >= 0) {
            var max = address instanceof Inet4Address ? 32 : 128;
            var p = text.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > max) {
                values.error(first.position(), where + ": prefix length '/" + p + "' must be 0–" + max);
                return null;
            }
            prefix = Integer.parseInt(p);
        }
        InetAddress brd = null;
        String dev = null;
        String scope = null;
        String label = null;
        var args = line.args();
        for (int i = 0; i < args.size(); i++) {
            var opt = args.get(i);
            if (i + 1 >= args.size()) {
                values.error(opt.position(), where + ": option '" + opt.text() + "' needs a value");
                break;
            }
            var value = args.get(++i);
            switch (opt.text()) {
                case "brd", "broadcast" -> brd = values.address(value, "brd");
                case "dev" -> dev = value.text();
                case "scope" -> scope = value.text();
                case "label" -> label = value.text();
                default -> values.error(opt.position(), where + ": unknown address option '" + opt.text()
                        + "' (expected brd, dev, scope or label)");
            }
        }
        return new VrrpInstanceDef.Vip(address, prefix, brd, dev, scope, label);
    }

    /// Adds the lines of a `track_interface` block to `into`; a name tracked already is ignored
    /// with a warning, as alloc_track_if does ("duplicate track_interface - ignoring").
    private void trackInterfaces(Node n, List<VrrpInstanceDef.TrackInterface> into, String where) {
        if (!Structure.block(values, n, 0)) {
            return;
        }
        for (var line : n.children()) {
            var options = lines.trackOptions(line, false);
            if (into.stream().anyMatch(t -> t.name().equals(line.name()))) {
                duplicate(line, n.name(), where);
            } else {
                into.add(new VrrpInstanceDef.TrackInterface(line.name(), options.weight(),
                        Boolean.TRUE.equals(options.reverse())));
            }
        }
    }

    /// As [#trackInterfaces] for `track_script` (alloc_track_script), each name resolved in
    /// keepalived's order.
    private void trackScripts(Node n, List<VrrpInstanceDef.TrackScript> into, String where) {
        for (var line : references.block(n, "vrrp_script", where)) {
            var options = lines.trackOptions(line, true);
            if (into.stream().anyMatch(t -> t.name().equals(line.name()))) {
                duplicate(line, n.name(), where);
            } else {
                var t = new VrrpInstanceDef.TrackScript(line.name(), options.weight(), options.reverse());
                into.add(t);
                positions.put(t, line.position());
            }
        }
    }

    private void duplicate(Node line, String keyword, String where) {
        values.warning(line.position(), keyword + " " + line.name() + " is given again in " + where
                + "; keepalived keeps the first one and ignores this one, and so does Pharos");
    }
}
