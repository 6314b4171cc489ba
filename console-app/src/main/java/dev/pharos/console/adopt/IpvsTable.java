package dev.pharos.console.adopt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/// The kernel's IPVS table as a host shows it: `ipvsadm -Ln --exact`, or `/proc/net/ip_vs` where
/// ipvsadm is not installed (the same layout with addresses and ports in hexadecimal).
public record IpvsTable(List<Service> services) {

    public IpvsTable {
        services = List.copyOf(services);
    }

    /// A virtual service.
    ///
    /// @param protocol  `TCP`, `UDP`, `SCTP`, or `FWM` for a firewall-mark service
    /// @param address   canonical address, null for `FWM`
    /// @param port      the port, 0 for `FWM`
    /// @param fwmark    the mark of a `FWM` service, else 0
    /// @param scheduler `wrr`, `rr`, …
    public record Service(String protocol, String address, int port, long fwmark, String scheduler,
            List<Destination> destinations) {
        public Service {
            destinations = List.copyOf(destinations);
        }

        /// The destination at `address` (canonical) and `port`, if the kernel has it.
        public Optional<Destination> destination(String address, int port) {
            return destinations.stream().filter(d -> d.address().equals(address) && d.port() == port).findFirst();
        }
    }

    /// A real server as the kernel has it.
    ///
    /// @param forward `Masq`, `Route`, `Tunnel` (or `Local`)
    public record Destination(String address, int port, String forward, int weight, long activeConnections,
            long inactiveConnections) {
    }

    /// The service for `protocol` (`TCP`…) at `address` (canonical) and `port`, if the kernel has it.
    public Optional<Service> service(String protocol, String address, int port) {
        return services.stream().filter(s -> s.protocol().equalsIgnoreCase(protocol) && address.equals(s.address())
                && s.port() == port).findFirst();
    }

    /// The firewall-mark service `mark`, if the kernel has it.
    public Optional<Service> fwmark(long mark) {
        return services.stream().filter(s -> s.protocol().equals("FWM") && s.fwmark() == mark).findFirst();
    }

    /// Parses `ipvsadm -Ln --exact`.
    public static IpvsTable parseIpvsadm(String text) {
        return parse(text, false);
    }

    /// Parses `/proc/net/ip_vs`.
    public static IpvsTable parseProc(String text) {
        return parse(text, true);
    }

    private static IpvsTable parse(String text, boolean hex) {
        var services = new ArrayList<Service>();
        String protocol = null;
        String address = null;
        int port = 0;
        long mark = 0;
        String scheduler = null;
        var destinations = new ArrayList<Destination>();
        int n = 0;
        for (var line : text.split("\n", -1)) {
            n++;
            var t = line.strip();
            if (t.isEmpty() || t.startsWith("IP Virtual Server") || t.startsWith("Prot ")
                    || t.startsWith("-> RemoteAddress")) {
                continue;
            }
            var f = t.split("\\s+");
            if (t.startsWith("->")) {
                if (protocol == null) {
                    throw new IllegalArgumentException(where(hex, n) + "a real server before any service");
                }
                if (f.length < 6) {
                    throw new IllegalArgumentException(where(hex, n) + "a real server line needs address, forward, "
                            + "weight, active and inactive connections: " + t);
                }
                var hp = hostPort(f[1], hex, n);
                destinations.add(new Destination(hp.host(), hp.port(), f[2], number(f[3], n, hex),
                        number(f[4], n, hex), number(f[5], n, hex)));
                continue;
            }
            if (protocol != null) {
                services.add(new Service(protocol, address, port, mark, scheduler, destinations));
            }
            if (f.length < 3) {
                throw new IllegalArgumentException(where(hex, n) + "a service line needs protocol, address and "
                        + "scheduler: " + t);
            }
            protocol = f[0].toUpperCase(Locale.ROOT);
            destinations = new ArrayList<>();
            scheduler = f[2];
            switch (protocol) {
                case "FWM" -> {
                    address = null;
                    port = 0;
                    mark = hex ? parseHex(f[1], n) : number(f[1], n, false);
                }
                case "TCP", "UDP", "SCTP" -> {
                    var hp = hostPort(f[1], hex, n);
                    address = hp.host();
                    port = hp.port();
                    mark = 0;
                }
                default -> throw new IllegalArgumentException(where(hex, n) + "unknown protocol " + f[0]);
            }
        }
        if (protocol != null) {
            services.add(new Service(protocol, address, port, mark, scheduler, destinations));
        }
        return new IpvsTable(services);
    }

    private record HostPort(String host, int port) {
    }

    /// `192.0.2.10:80`, `[2001:db8::1]:80`; in `/proc`: `C000020A:0050`, `[2001:0db8:…:0001]:0050`.
    private static HostPort hostPort(String text, boolean hex, int line) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(where(hex, line) + "no port in " + text);
        }
        var host = text.substring(0, colon);
        var portText = text.substring(colon + 1);
        int port = hex ? (int) parseHex(portText, line) : (int) number(portText, line, false);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(where(hex, line) + "port " + port + " is outside 0–65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            return new HostPort(HeldAddresses.canonical(host), port);
        }
        if (hex) {
            if (host.length() != 8) {
                throw new IllegalArgumentException(where(true, line) + "an IPv4 address is 8 hex digits: " + host);
            }
            long v = parseHex(host, line);
            host = ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
        }
        return new HostPort(HeldAddresses.canonical(host), port);
    }

    private static long parseHex(String text, int line) {
        try {
            return Long.parseLong(text, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where(true, line) + "not a hexadecimal number: " + text);
        }
    }

    private static int number(String text, int line, boolean hex) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where(hex, line) + "not a number: " + text);
        }
    }

    private static String where(boolean hex, int line) {
        return (hex ? "/proc/net/ip_vs" : "ipvsadm -Ln") + " line " + line + ": ";
    }
}
