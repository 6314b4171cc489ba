package dev.pharos.agent.announce;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/// BIRD 2 as the routing daemon: each VIP is a `protocol static` in bird.conf, `disabled` there
/// (so a restarted BIRD starts withdrawn), with the VIP's host route; its BGP protocols export
/// it. Announcing enables that protocol through the control socket, withdrawing disables it, and
/// `show protocols` tells which are up, and how its BGP sessions stand. A connection per call: BIRD may restart between two.
public final class BirdDaemon implements RoutingDaemon {

    private final Path socket;
    private final Duration timeout;

    public BirdDaemon(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    @Override
    public View view(List<AnnounceConfig.Vip> vips) throws IOException {
        Map<String, String[]> protocols;
        try (var bird = BirdControl.connect(socket, timeout)) {
            protocols = protocols(bird.command("show protocols"));
        }
        var up = new HashSet<InetAddress>();
        var problems = new HashMap<InetAddress, String>();
        for (var vip : vips) {
            var row = protocols.get(vip.protocol());
            if (row == null) {
                problems.put(vip.address(), "BIRD has no protocol " + vip.protocol() + " for "
                        + vip.address().getHostAddress() + "; bird.conf needs: " + declaration(vip));
            } else if (!row[1].equalsIgnoreCase("static")) {
                problems.put(vip.address(), "BIRD's protocol " + vip.protocol() + " is " + row[1]
                        + ", not the static one that holds " + vip.address().getHostAddress() + "; bird.conf needs: "
                        + declaration(vip));
            } else if (row[3].equals("up")) {
                up.add(vip.address());
            }
        }
        return new View(up, problems, sessions(protocols));
    }

    @Override
    public void announce(AnnounceConfig.Vip vip) throws IOException {
        try (var bird = BirdControl.connect(socket, timeout)) {
            bird.command("enable " + vip.protocol());
        }
    }

    @Override
    public void withdraw(AnnounceConfig.Vip vip) throws IOException {
        try (var bird = BirdControl.connect(socket, timeout)) {
            bird.command("disable " + vip.protocol());
        }
    }

    /// What bird.conf must hold for `vip`, for the operator who has not written it yet.
    public static String declaration(AnnounceConfig.Vip vip) {
        var v4 = vip.address() instanceof Inet4Address;
        return "protocol static " + vip.protocol() + " { disabled; " + (v4 ? "ipv4" : "ipv6") + "; route "
                + vip.address().getHostAddress() + (v4 ? "/32" : "/128") + " blackhole; }";
    }

    /// The BGP protocols' sessions: BIRD writes the BGP state (`Established`, `Active`, `Connect`…)
    /// as the row's info, after the protocol's own state and since when.
    private static List<Session> sessions(Map<String, String[]> protocols) {
        var out = new ArrayList<Session>();
        for (var row : protocols.values()) {
            if (row[1].equalsIgnoreCase("BGP")) {
                var info = row.length > 5 ? String.join(" ", Arrays.copyOfRange(row, 5, row.length)) : row[3];
                out.add(new Session(row[0], info.startsWith("Established"), info));
            }
        }
        out.sort(Comparator.comparing(Session::name));
        return out;
    }

    /// `show protocols`' rows by name: name, protocol, table, state, since, info. The header
    /// (code 2002) is left out.
    private static Map<String, String[]> protocols(List<BirdControl.Line> lines) {
        var rows = new HashMap<String, String[]>();
        for (var line : lines) {
            if (line.code() != 1002) {
                continue;
            }
            var cells = line.text().strip().split("\\s+");
            if (cells.length >= 4) {
                rows.put(cells[0], cells);
            }
        }
        return rows;
    }
}
