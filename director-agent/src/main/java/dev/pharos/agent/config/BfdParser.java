package dev.pharos.agent.config;

import java.math.BigDecimal;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/// Reads `bfd_instance` blocks and `track_bfd` lines as keepalived 2.2.7 does (`bfd_parser.c`,
/// `vrrp_track.c` `alloc_track_bfd`), reporting what keepalived reports.
final class BfdParser {

    /// keepalived's BFD_INAME_MAX includes the terminating NUL.
    private static final int MAX_NAME = 31;
    /// `read_decimal_unsigned_strvec(…, 3)`: milliseconds with up to three decimals, held in
    /// microseconds of an unsigned int.
    private static final Pattern MILLIS = Pattern.compile("\\d{1,10}(\\.\\d{1,3})?");
    private static final long MAX_MILLIS = 0xFFFF_FFFFL / 1000;

    private final Values values;
    private final InstanceLines lines;
    private final Set<String> names = new HashSet<>();
    private final List<BfdInstanceDef> read = new ArrayList<>();

    BfdParser(Values values) {
        this.values = values;
        this.lines = new InstanceLines(values);
    }

    /// The instances read so far, in file order, without those keepalived ignores.
    List<BfdInstanceDef> instances() {
        return List.copyOf(read);
    }

    /// One `bfd_instance` block; null when keepalived ignores the instance.
    BfdInstanceDef instance(Node n) {
        if (!Structure.block(values, n, 1)) {
            return null;
        }
        var name = n.args().getFirst().text();
        if (name.length() > MAX_NAME) {
            values.error(n.args().getFirst().position(), "bfd_instance name " + name + " is longer than " + MAX_NAME
                    + " characters; keepalived ignores the instance");
            return null;
        }
        if (!names.add(name)) {
            values.error(n.position(), "bfd_instance " + name + " is already configured; keepalived ignores this one");
            return null;
        }
        var where = "bfd_instance " + name;
        var f = new Fields();
        new BlockReader(values, where, Keywords.BFD_INSTANCE)
                .on("neighbor_ip", c -> f.neighbor = values.address(c), "neighbour_ip")
                .on("source_ip", c -> f.source = values.address(c))
                .on("min_rx", c -> f.minRx = millis(c, 1))
                .on("min_tx", c -> f.minTx = millis(c, 1))
                .on("idle_tx", c -> f.idleTx = millis(c, 1000))
                .on("multiplier", c -> f.multiplier = values.integer(c, 1, 255))
                .on("passive", c -> f.passive = values.flag(c))
                .on("ttl", c -> f.ttl = values.integer(c, 1, 255), "hoplimit")
                .on("max_hops", c -> f.maxHops = values.integer(c, -1, 255))
                .on("weight", c -> weight(c, f))
                .on("vrrp", c -> f.vrrp = values.flag(c))
                .on("checker", c -> f.checker = values.flag(c))
                .read(n);
        if (f.neighbor == null) {
            values.error(n.position(), where + " has no neighbor_ip; keepalived disables the instance");
            return null;
        }
        if (f.source != null && f.source.getClass() != f.neighbor.getClass()) {
            values.error(n.position(), where + ": source_ip and neighbor_ip are not of the same family; keepalived"
                    + " disables the instance");
            return null;
        }
        var duplicate = read.stream().filter(b -> b.neighbor().equals(f.neighbor)
                && (b.source() == null || f.source == null || b.source().equals(f.source))).findFirst();
        if (duplicate.isPresent()) {
            values.error(n.position(), where + ": bfd_instance " + duplicate.get().name() + " already runs a session to "
                    + f.neighbor.getHostAddress() + "; keepalived ignores this one");
            return null;
        }
        if (!(f.neighbor instanceof Inet4Address)) {
            values.error(n.position(), where + ": neighbor_ip " + f.neighbor.getHostAddress() + " is IPv6; Pharos runs"
                    + " BFD over IPv4 only so far");
            return null;
        }
        int ttl = f.ttl == null ? 255 : f.ttl;
        if (f.maxHops != null && f.maxHops > ttl) {
            values.error(n.position(), where + ": max_hops " + f.maxHops + " exceeds ttl " + ttl
                    + "; keepalived sets it to " + ttl);
            f.maxHops = ttl;
        }
        var def = new BfdInstanceDef(name, f.neighbor, f.source, f.minRx, f.minTx, f.idleTx, f.multiplier, f.passive,
                f.ttl, f.maxHops, f.weight, f.reverse, f.vrrp, f.checker);
        read.add(def);
        return def;
    }

    /// `weight N [reverse]` (bfd_vrrp_weight_handler).
    private void weight(Node c, Fields f) {
        var args = c.args();
        if (args.isEmpty() || c.isBlock()) {
            values.error(c.position(), "weight needs a value (-253–253)");
            return;
        }
        f.weight = values.integer(args.getFirst(), "weight", -253, 253);
        if (args.size() >= 2) {
            if (args.get(1).isWord("reverse")) {
                f.reverse = true;
            } else {
                values.error(args.get(1).position(), "unknown weight option '" + args.get(1).text()
                        + "': keepalived reads only reverse after the weight");
            }
        }
    }

    /// The `track_bfd` lines keepalived finds (see [TrackReferences]); a name given twice is
    /// ignored with a warning, as alloc_track_bfd does.
    List<BfdInstanceDef.Track> tracks(List<Node> found, String where) {
        var out = new ArrayList<BfdInstanceDef.Track>();
        for (var line : found) {
            var options = lines.trackOptions(line, true);
            if (out.stream().anyMatch(t -> t.name().equals(line.name()))) {
                values.warning(line.position(), "track_bfd " + line.name() + " is given again in " + where
                        + "; keepalived keeps the first one and ignores this one, and so does Pharos");
            } else {
                out.add(new BfdInstanceDef.Track(line.name(), options.weight(), options.reverse()));
            }
        }
        return out;
    }

    private Duration millis(Node c, long min) {
        var t = values.single(c);
        if (t == null) {
            return null;
        }
        if (!MILLIS.matcher(t.text()).matches()) {
            values.error(t.position(), c.name() + " is in milliseconds (e.g. 10 or 0.5), not '" + t.text() + "'");
            return null;
        }
        var ms = new BigDecimal(t.text());
        if (ms.compareTo(BigDecimal.valueOf(min)) < 0 || ms.compareTo(BigDecimal.valueOf(MAX_MILLIS)) > 0) {
            values.error(t.position(), c.name() + " " + t.text() + " ms is outside " + min + "–" + MAX_MILLIS
                    + " ms; keepalived ignores it");
            return null;
        }
        if (ms.compareTo(BigDecimal.valueOf(10_000)) > 0) {
            values.warning(t.position(), c.name() + " " + t.text() + " ms is larger than keepalived's maximum sensible"
                    + " value (10000 ms)");
        }
        return Duration.ofNanos(ms.movePointRight(6).longValueExact());
    }

    /// Mutable fields while one block is read.
    private static final class Fields {
        InetAddress neighbor;
        InetAddress source;
        Duration minRx;
        Duration minTx;
        Duration idleTx;
        Integer multiplier;
        boolean passive;
        Integer ttl;
        Integer maxHops;
        Integer weight;
        boolean reverse;
        boolean vrrp;
        boolean checker;
    }
}
