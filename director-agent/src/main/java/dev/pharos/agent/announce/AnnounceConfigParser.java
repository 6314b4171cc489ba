package dev.pharos.agent.announce;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.Diagnostic;
import dev.pharos.agent.config.Lexer;
import dev.pharos.agent.config.Node;
import dev.pharos.agent.config.Position;
import dev.pharos.agent.config.Token;
import dev.pharos.agent.config.TreeParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/// Reads `announce.conf`, written in keepalived's syntax so it reads like the file beside it:
///
/// ```
/// announce {
///     daemon bird          # or frr, with socket /run/frr/bgpd.vty
///     socket /run/bird/bird.ctl
///     recheck 5             # seconds
///     warmup 3
///     withdraw_delay 2
///     sloppy_tcp on         # the kernel IPVS's sloppy_tcp and sloppy_sctp (default on)
///     vip 192.0.2.10        # announced by BIRD's protocol pharos_192_0_2_10
///     vip 192.0.2.11 {
///         protocol web_vip  # or a name of one's own (BIRD only)
///     }
/// }
/// ```
///
/// Every mistake is an error at its `file:line:col`, all of them at once.
public final class AnnounceConfigParser {

    /// A BIRD symbol: a letter or `_`, then letters, digits and `_`.
    private static final Pattern SYMBOL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Duration LONGEST = Duration.ofHours(1);

    private final List<Diagnostic> errors = new ArrayList<>();
    /// The `protocol` statements read, for the check that they go with BIRD.
    private final List<Token> protocolLines = new ArrayList<>();

    private AnnounceConfigParser() {
    }

    public static AnnounceConfig read(Path file) throws IOException, ConfigException {
        return parse(Files.readString(file), file);
    }

    public static AnnounceConfig parse(String text, Path file) throws ConfigException {
        var nodes = TreeParser.parse(Lexer.tokenize(text, file));
        var p = new AnnounceConfigParser();
        var config = p.file(nodes, file);
        if (!p.errors.isEmpty()) {
            throw new ConfigException(p.errors);
        }
        return config;
    }

    /// The name BIRD's static protocol has when the file names none: `pharos_` and the address
    /// with its dots or colons as underscores.
    public static String defaultProtocol(InetAddress vip) {
        return "pharos_" + vip.getHostAddress().replaceAll("[.:]", "_").replaceAll("%.*", "");
    }

    private AnnounceConfig file(List<Node> nodes, Path file) {
        Node announce = null;
        for (var n : nodes) {
            if (!n.name().equals("announce")) {
                error(n.keyword(), "unknown keyword '" + n.name() + "': this file has one announce { … } block");
            } else if (announce != null) {
                error(n.keyword(), "announce is given twice (first at line " + announce.position().line() + ")");
            } else if (!n.isBlock() || !n.args().isEmpty()) {
                error(n.keyword(), "announce takes no value and opens a block: announce { … }");
            } else {
                announce = n;
            }
        }
        if (announce == null) {
            if (errors.isEmpty()) {
                errors.add(Diagnostic.error(new Position(file, 1, 1),
                        "no announce { … } block: nothing to announce"));
            }
            return null;
        }
        return block(announce);
    }

    private AnnounceConfig block(Node announce) {
        AnnounceConfig.Daemon daemon = null;
        Path socket = null;
        var recheck = AnnounceConfig.DEFAULT_RECHECK;
        var warmup = AnnounceConfig.DEFAULT_WARMUP;
        var withdrawDelay = AnnounceConfig.DEFAULT_WITHDRAW_DELAY;
        var sloppyTcp = true;
        var vips = new ArrayList<AnnounceConfig.Vip>();
        var seenAddresses = new HashSet<InetAddress>();
        var seenProtocols = new HashSet<String>();
        protocolLines.clear();
        for (var n : announce.children()) {
            switch (n.name()) {
                case "daemon" -> {
                    var word = one(n, "daemon bird|frr");
                    if (word != null) {
                        switch (word.text()) {
                            case "bird" -> daemon = AnnounceConfig.Daemon.BIRD;
                            case "frr" -> daemon = AnnounceConfig.Daemon.FRR;
                            default -> error(word, "unknown routing daemon '" + word.text()
                                    + "': Pharos drives bird or frr");
                        }
                    }
                }
                case "socket" -> {
                    var word = one(n, "socket /run/bird/bird.ctl");
                    if (word != null) {
                        if (word.text().startsWith("/")) {
                            socket = Path.of(word.text());
                        } else {
                            error(word, "socket needs an absolute path, e.g. /run/bird/bird.ctl");
                        }
                    }
                }
                case "recheck" -> recheck = seconds(n, recheck, Duration.ofMillis(100));
                case "warmup" -> warmup = seconds(n, warmup, Duration.ZERO);
                case "withdraw_delay" -> withdrawDelay = seconds(n, withdrawDelay, Duration.ZERO);
                case "sloppy_tcp" -> sloppyTcp = onOff(n, sloppyTcp);
                case "vip" -> {
                    var vip = vip(n);
                    if (vip != null) {
                        if (!seenAddresses.add(vip.address())) {
                            error(n.args().getFirst(), "vip " + vip.address().getHostAddress() + " is given twice");
                        } else if (!seenProtocols.add(vip.protocol())) {
                            error(n.keyword(), "two VIPs name BIRD's protocol " + vip.protocol());
                        } else {
                            vips.add(vip);
                        }
                    }
                }
                default -> error(n.keyword(), "unknown keyword '" + n.name()
                        + "' in announce (daemon, socket, recheck, warmup, withdraw_delay, sloppy_tcp,"
                        + " vip)");
            }
        }
        if (daemon == null) {
            error(announce.keyword(), "announce needs daemon bird or daemon frr");
        }
        if (daemon == AnnounceConfig.Daemon.FRR) {
            for (var p : protocolLines) {
                error(p, "protocol names BIRD's static protocol; with daemon frr a VIP is a network statement of"
                        + " bgpd");
            }
        }
        if (socket == null) {
            error(announce.keyword(), "announce needs the routing daemon's socket, e.g. socket /run/bird/bird.ctl");
        }
        if (vips.isEmpty()) {
            error(announce.keyword(), "announce names no vip");
        }
        return new AnnounceConfig(daemon, socket, recheck, warmup, withdrawDelay, vips, sloppyTcp);
    }

    private AnnounceConfig.Vip vip(Node n) {
        var word = one(n, "vip 192.0.2.10");
        if (word == null) {
            return null;
        }
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(word.text());
        } catch (IllegalArgumentException e) {
            error(word, "'" + word.text() + "' is not an IPv4 or IPv6 address");
            return null;
        }
        var protocol = defaultProtocol(address);
        for (var c : n.isBlock() ? n.children() : List.<Node>of()) {
            if (!c.name().equals("protocol")) {
                error(c.keyword(), "unknown keyword '" + c.name() + "' in vip (protocol)");
                continue;
            }
            var name = one(c, "protocol NAME");
            protocolLines.add(c.keyword());
            if (name != null) {
                if (SYMBOL.matcher(name.text()).matches()) {
                    protocol = name.text();
                } else {
                    error(name, "'" + name.text() + "' is not a BIRD protocol name (letters, digits and _)");
                }
            }
        }
        return new AnnounceConfig.Vip(address, protocol);
    }

    private Duration seconds(Node n, Duration current, Duration least) {
        var word = one(n, n.name() + " SECONDS");
        if (word == null) {
            return current;
        }
        try {
            var value = new BigDecimal(word.text());
            var d = Duration.ofNanos(value.movePointRight(9).longValueExact());
            if (d.compareTo(least) < 0 || d.compareTo(LONGEST) > 0) {
                error(word, n.name() + " " + word.text() + " is outside " + text(least) + "–3600 s");
                return current;
            }
            return d;
        } catch (NumberFormatException | ArithmeticException e) {
            error(word, n.name() + " needs seconds (e.g. 2 or 0.5), not '" + word.text() + "'");
            return current;
        }
    }

    /// `on`/`off` (or keepalived's other spellings, `yes`/`no`, `true`/`false`); alone, the keyword means on.
    private boolean onOff(Node n, boolean current) {
        if (n.args().isEmpty() && !n.isBlock()) {
            return true;
        }
        var word = one(n, n.name() + " on|off");
        if (word == null) {
            return current;
        }
        return switch (word.text()) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> {
                error(word, n.name() + " is on or off, not '" + word.text() + "'");
                yield current;
            }
        };
    }

    private static String text(Duration d) {
        return BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
    }

    /// The statement's one value; an error (with the usage) when it has none or more.
    private Token one(Node n, String usage) {
        if (n.args().size() != 1) {
            error(n.args().size() > 1 ? n.args().get(1) : n.keyword(), n.name() + " takes one value: " + usage);
            return null;
        }
        if (n.isBlock() && !n.name().equals("vip")) {
            error(n.keyword(), n.name() + " opens no block: " + usage);
        }
        return n.args().getFirst();
    }

    private void error(Token at, String message) {
        errors.add(Diagnostic.error(at.position(), message));
    }
}
