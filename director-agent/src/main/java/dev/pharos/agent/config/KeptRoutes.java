package dev.pharos.agent.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/// The addresses of the route and rule blocks Pharos keeps but does not act on (`static_routes`,
/// `static_rules` at the top level, `virtual_routes`, `virtual_rules` in an instance), checked as
/// keepalived 2.2.7 reads them: a line with an address it cannot read is reported and the whole
/// route or rule skipped, while keepalived goes on (`alloc_rule` in keepalived/vrrp/vrrp_iprule.c,
/// `alloc_route` in vrrp_iproute.c, both through `parse_route`/`parse_ipaddress` in
/// vrrp_ipaddress.c). Pharos refuses such a line, since keepalived would run without it.
///
/// Only the addresses are checked; the other options stay keepalived's business.
final class KeptRoutes {

    /// `parse_route`'s words for "any address" (`default6` is its deprecated IPv6 spelling).
    private static final Set<String> ANY = Set.of("default", "any", "all", "default6");
    /// The route types `find_rttables_rtntype` reads before a destination (iproute2's names).
    private static final Set<String> ROUTE_TYPES = Set.of("unicast", "local", "broadcast", "anycast",
            "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve");

    private static final Pattern LEADING_ZERO = Pattern.compile("(^|\\.)0\\d");

    private final Values values;

    KeptRoutes(Values values) {
        this.values = values;
    }

    /// Each line of a `static_rules`/`virtual_rules` block: the addresses after `from` and `to`
    /// (`ADDR[/LEN]` or `default`/`any`/`all`).
    void rules(Node block) {
        if (!block.isBlock()) {
            return; // not a block: nothing keepalived would read as a route or rule
        }
        for (var line : block.children()) {
            var words = words(line);
            for (int i = 0; i + 1 < words.size(); i++) {
                var w = words.get(i).text();
                if (w.equals("from") || w.equals("to")) {
                    i++;
                    route(words.get(i), "rule " + w + " address", block.name());
                }
            }
        }
    }

    /// Each line of a `static_routes`/`virtual_routes` block: `src`, `via`/`gw` (optionally after
    /// `inet`/`inet6`) and `or` take a plain address; `from` and the destination may have a prefix
    /// length. The destination is the line's first word after an optional `to` and route type; it
    /// is checked when it starts like an address, a digit or a colon, since any other word is one
    /// of the many options keepalived reads there.
    void routes(Node block) {
        if (!block.isBlock()) {
            return; // not a block: nothing keepalived would read as a route or rule
        }
        for (var line : block.children()) {
            var words = words(line);
            int destination = 0;
            if (words.get(destination).text().equals("to")) {
                destination++;
            }
            if (destination < words.size() && ROUTE_TYPES.contains(words.get(destination).text())) {
                destination++;
            }
            for (int i = 0; i < words.size(); i++) {
                var w = words.get(i).text();
                switch (w) {
                    case "src", "or" -> {
                        if (i + 1 < words.size()) {
                            plain(words.get(++i), "route " + w + " address", block.name());
                        }
                    }
                    case "via", "gw" -> {
                        if (i + 1 < words.size() && words.get(i + 1).text().startsWith("inet")) {
                            i++;
                        }
                        if (i + 1 < words.size()) {
                            plain(words.get(++i), "route via address", block.name());
                        }
                    }
                    case "from" -> {
                        if (i + 1 < words.size()) {
                            route(words.get(++i), "route from address", block.name());
                        }
                    }
                    case "nexthop" -> i = words.size(); // nexthop groups have their own grammar
                    default -> {
                        if (i == destination && looksLikeAddress(w)) {
                            route(words.get(i), "route destination", block.name());
                        }
                    }
                }
            }
        }
    }

    private static List<Token> words(Node line) {
        var words = new ArrayList<Token>();
        words.add(line.keyword());
        words.addAll(line.args());
        return words;
    }

    /// `inet_pton`, which keepalived calls: an IPv4 part with a leading zero (`192.0.2.01`) is no
    /// address to it.
    private static boolean readable(String address) {
        return Values.parseAddress(address) != null
                && (address.indexOf(':') >= 0 || !LEADING_ZERO.matcher(address).find());
    }

    private static boolean looksLikeAddress(String w) {
        return !w.isEmpty() && (Character.isDigit(w.charAt(0)) || w.charAt(0) == ':');
    }

    /// `parse_route`: an address with an optional `/LEN`, or a word for any address.
    private void route(Token t, String what, String block) {
        var text = t.text();
        if (ANY.contains(text)) {
            return;
        }
        var slash = text.indexOf('/');
        var address = slash < 0 ? text : text.substring(0, slash);
        if (!readable(address)) {
            refuse(t, what, block);
            return;
        }
        if (slash >= 0) {
            int max = address.indexOf(':') >= 0 ? 128 : 32;
            var len = text.substring(slash + 1);
            if (!len.matches("\\d{1,3}") || Integer.parseInt(len) > max) {
                values.error(t.position(), what + " '" + text + "' in " + block + " has an invalid prefix length"
                        + " (0–" + max + "); keepalived 2.2.7 reports it and uses /" + max);
            }
        }
    }

    /// `parse_ipaddress` without a prefix length.
    private void plain(Token t, String what, String block) {
        if (!readable(t.text())) {
            refuse(t, what, block);
        }
    }

    private void refuse(Token t, String what, String block) {
        values.error(t.position(), what + " '" + t.text() + "' in " + block + " is not an IPv4 or IPv6 address;"
                + " keepalived 2.2.7 reports it and skips the whole line");
    }
}
