package dev.pharos.agent.config;

import dev.pharos.agent.api.Addresses;
import java.math.BigDecimal;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/// Reads the values of one statement, reporting a precise diagnostic and returning `null` when a
/// value is missing or wrong, so that parsing goes on and finds the next error too.
final class Values {

    private static final Pattern DOTTED_QUAD = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,9}(\\.\\d{1,6})?");

    private final List<Diagnostic> diagnostics;

    Values(List<Diagnostic> diagnostics) {
        this.diagnostics = diagnostics;
    }

    void error(Position at, String message) {
        diagnostics.add(Diagnostic.error(at, message));
    }

    void warning(Position at, String message) {
        diagnostics.add(Diagnostic.warning(at, message));
    }

    /// The statement's value, or null (with an error) when there is none. keepalived's handlers
    /// read the first word after the keyword (`set_value`, `read_unsigned_strvec(strvec, 1, …)`)
    /// and nothing after it, so further words are ignored, with a warning.
    Token single(Node n) {
        if (n.isBlock()) {
            error(n.position(), n.name() + " takes a value, not a block");
            return null;
        }
        if (n.args().isEmpty()) {
            error(n.position(), n.name() + " needs a value");
            return null;
        }
        if (n.args().size() > 1) {
            warning(n.args().get(1).position(), n.name() + " takes one value: keepalived reads "
                    + n.args().getFirst().text() + " and ignores '" + n.args().get(1).text() + "'"
                    + (n.args().size() > 2 ? " and what follows" : "") + ", and so does Pharos");
        }
        return n.args().getFirst();
    }

    /// A keyword whose keepalived 2.2.7 handler never looks past the keyword (`nopreempt`,
    /// `omega`, `inhibit_on_failure` in `virtual_server`…): whatever follows is ignored, so
    /// `nopreempt 0` still sets nopreempt. A word after it draws a warning saying so — louder when
    /// the word reads as "off".
    boolean flag(Node n) {
        if (n.isBlock()) {
            error(n.position(), n.name() + " takes no block");
            return false;
        }
        if (!n.args().isEmpty()) {
            var a = n.args().getFirst();
            if (FALSE_WORDS.contains(a.text().toLowerCase(Locale.ROOT))) {
                warning(a.position(), n.name() + " takes no value: keepalived ignores '" + a.text() + "', so '"
                        + n.name() + " " + a.text() + "' still turns " + n.name() + " on, and so does Pharos; remove"
                        + " the line to leave it off");
            } else {
                warning(a.position(), n.name() + " takes no value: keepalived ignores '" + a.text()
                        + "', and so does Pharos");
            }
        }
        return true;
    }

    private static final Set<String> FALSE_WORDS = Set.of("0", "no", "off", "false", "disable", "disabled");

    /// A keyword with keepalived's optional on/off word (`check_true_false` in `lib/parser.c`):
    /// alone or with `true`, `on` or `yes` it is on; with `false`, `off` or `no` it is off. The words
    /// are case-sensitive and nothing else is read (`1` is refused): keepalived reports any other
    /// word and ignores the line. Words after the first are ignored, as keepalived does.
    Boolean trueFalse(Node n) {
        if (n.isBlock()) {
            error(n.position(), n.name() + " takes no block");
            return null;
        }
        if (n.args().isEmpty()) {
            return Boolean.TRUE;
        }
        var t = n.args().getFirst();
        if (n.args().size() > 1) {
            var extra = n.args().get(1);
            warning(extra.position(), "keepalived ignores '" + extra.text() + "' after " + n.name() + " "
                    + t.text() + ", and so does Pharos");
        }
        return switch (t.text()) {
            case "true", "on", "yes" -> Boolean.TRUE;
            case "false", "off", "no" -> Boolean.FALSE;
            default -> {
                error(t.position(), n.name() + " takes true, on, yes, false, off or no (or nothing, meaning on), not '"
                        + t.text() + "'; keepalived refuses the line");
                yield null;
            }
        };
    }

    String string(Node n) {
        var t = single(n);
        return t == null ? null : t.text();
    }

    /// The command line of `script` and `misc_path`: keepalived uses only the line's first value
    /// (`set_script_params_array` takes slot 1), so `script /bin/pgrep -x nginx` runs `/bin/pgrep`
    /// alone; further values draw a warning saying so, since keepalived drops them silently.
    String commandLine(Node n) {
        var slots = scriptValues(n);
        if (slots == null) {
            return null;
        }
        if (slots.size() > 1) {
            warning(n.args().get(Math.min(1, n.args().size() - 1)).position(), n.name() + ": keepalived runs only '"
                    + slots.getFirst() + "' and ignores " + ScriptLine.format(slots.subList(1, slots.size()))
                    + "; to pass arguments, quote the whole command: " + n.name() + " "
                    + quote(String.join(" ", slots.stream().map(ScriptLine::word).toList())));
        }
        return slots.getFirst();
    }

    /// A notify line (`notify_master`, `notify`, `notify_up`, `quorum_up`…): the command line, then
    /// optionally the user and group it runs as, kept in their written form (see [ScriptLine]).
    String notifyLine(Node n) {
        var slots = scriptValues(n);
        if (slots == null) {
            return null;
        }
        if (slots.size() > 3) {
            warning(n.position(), n.name() + ": keepalived reads a command, a user and a group; "
                    + ScriptLine.format(slots.subList(3, slots.size())) + " is ignored (quote the command line to pass"
                    + " arguments: " + n.name() + " \"/path/script arg\" USER GROUP)");
            slots = slots.subList(0, 3);
        }
        return ScriptLine.format(slots);
    }

    /// The statement's values as keepalived's quote-and-escape splitter sees them, the command
    /// (first value) checked to split into at least a program; null with an error otherwise.
    private List<String> scriptValues(Node n) {
        if (n.isBlock() || n.args().isEmpty()) {
            error(n.position(), n.name() + " needs a command");
            return null;
        }
        // keepalived splits the raw line; the lexer has already taken the double quotes off, so
        // quoted words are put back in quotes and unquoted ones as written (single quotes and
        // escapes in them still stand) before the same split.
        var line = new StringBuilder();
        for (var t : n.args()) {
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(t.quoted() ? quote(t.text()) : t.text());
        }
        try {
            var slots = Argv.split(line.toString());
            if (slots.isEmpty() || Argv.split(slots.getFirst()).isEmpty()) {
                error(n.position(), n.name() + " needs a command");
                return null;
            }
            return slots;
        } catch (IllegalArgumentException e) {
            error(n.args().getFirst().position(), n.name() + ": " + e.getMessage());
            return null;
        }
    }

    /// `user USER [GROUP]` of `vrrp_script`, `MISC_CHECK` and `script_user` in `global_defs`.
    String userAndGroup(Node n) {
        if (n.isBlock() || n.args().isEmpty()) {
            error(n.position(), n.name() + " needs a user name: " + n.name() + " USER [GROUP]");
            return null;
        }
        var words = n.args().stream().map(Token::text).toList();
        if (words.size() > 2) {
            var extra = n.args().get(2);
            warning(extra.position(), n.name() + " takes USER [GROUP]; keepalived ignores '" + extra.text()
                    + "' and what follows");
            words = words.subList(0, 2);
        }
        return ScriptLine.format(words);
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    Integer integer(Node n, long min, long max) {
        var t = single(n);
        return t == null ? null : integer(t, n.name(), min, max);
    }

    Integer integer(Token t, String what, long min, long max) {
        var v = longValue(t, what, min, max);
        return v == null ? null : (int) (long) v;
    }

    Long longValue(Token t, String what, long min, long max) {
        var s = t.text();
        if (!s.matches("-?\\d{1,12}")) {
            error(t.position(), what + " must be a whole number, not '" + s + "'");
            return null;
        }
        long v = Long.parseLong(s);
        if (v < min || v > max) {
            error(t.position(), what + " " + v + " is outside " + min + "–" + max);
            return null;
        }
        return v;
    }

    /// A time in seconds, decimals allowed (`3`, `0.5`), within [min, max].
    Duration seconds(Node n, Duration min, Duration max) {
        var t = single(n);
        return t == null ? null : seconds(t, n.name(), min, max);
    }

    Duration seconds(Token t, String what, Duration min, Duration max) {
        var s = t.text();
        if (!DECIMAL.matcher(s).matches()) {
            error(t.position(), what + " must be a number of seconds (e.g. 3 or 0.5), not '" + s + "'");
            return null;
        }
        var micros = new BigDecimal(s).movePointRight(6).longValueExact();
        var d = Duration.ofNanos(micros * 1000);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            error(t.position(), what + " " + s + " s is outside " + format(min) + "–" + format(max) + " s");
            return null;
        }
        return d;
    }

    /// A time keepalived 2.2.7 reads as a whole number of seconds (`read_unsigned_strvec`, e.g.
    /// `garp_master_delay`, `vrrp_script`'s `interval`): `0.5` is not a number there.
    Duration wholeSeconds(Node n, long min, long max) {
        var t = single(n);
        if (t == null) {
            return null;
        }
        if (t.text().matches("\\d+\\.\\d*")) {
            error(t.position(), n.name() + " takes whole seconds, not '" + t.text() + "' (keepalived 2.2.7 reads no"
                    + " decimals here)");
            return null;
        }
        var v = longValue(t, n.name(), min, max);
        return v == null ? null : Duration.ofSeconds(v);
    }

    /// Seconds as keepalived.conf writes them: `3`, `0.5`, `1.25`.
    static String format(Duration d) {
        var bd = BigDecimal.valueOf(d.toNanos()).movePointLeft(9).stripTrailingZeros();
        return bd.scale() < 0 ? bd.setScale(0).toPlainString() : bd.toPlainString();
    }

    InetAddress address(Node n) {
        var t = single(n);
        return t == null ? null : address(t, n.name());
    }

    /// An IPv4 dotted quad or an IPv6 literal; never a host name (no DNS lookups in a config).
    InetAddress address(Token t, String what) {
        var a = parseAddress(t.text());
        if (a == null) {
            error(t.position(), what + ": '" + t.text() + "' is not an IPv4 or IPv6 address");
        }
        return a;
    }

    static InetAddress parseAddress(String s) {
        var m = DOTTED_QUAD.matcher(s);
        if (m.matches()) {
            var bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(m.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            try {
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        if (s.indexOf(':') >= 0 && s.length() <= 45 && s.matches("[0-9A-Fa-f:.]+")) {
            try {
                return Inet6Address.ofLiteral(s);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    /// The IPv6 netmask of a prefix length (64 → `ffff:ffff:ffff:ffff::`).
    static InetAddress ipv6Netmask(int prefix) {
        var bytes = new byte[16];
        for (int i = 0; i < prefix; i++) {
            bytes[i / 8] |= (byte) (0x80 >>> (i % 8));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    /// How an address is written back: IPv4 dotted, IPv6 in the RFC 5952 canonical form.
    static String format(InetAddress a) {
        if (a instanceof Inet4Address) {
            return Addresses.text(a);
        }
        var b = a.getAddress();
        var groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        var sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    Integer port(Token t, String what) {
        return integer(t, what, 0, 65535);
    }
}
