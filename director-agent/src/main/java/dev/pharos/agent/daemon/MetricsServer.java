package dev.pharos.agent.daemon;

import com.sun.net.httpserver.HttpServer;
import dev.pharos.agent.api.Addresses;
import dev.pharos.agent.api.AgentState;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/// The Prometheus text endpoint (`--metrics 127.0.0.1:9650`), off unless asked for. It serves
/// `GET /metrics` only, from the same snapshot as `state.get`, on one thread: scraping is cheap
/// and never touches the VRRP engine's thread.
public final class MetricsServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MetricsServer.class.getName());

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /// Binds `address`, which must be a loopback address unless `anyAddress` (metrics say a lot
    /// about a director; exposing them is a decision, not a default).
    public static MetricsServer start(InetSocketAddress address, Supplier<AgentState> state, Supplier<Long> events)
            throws IOException {
        if (!address.getAddress().isLoopbackAddress()) {
            throw new IOException("--metrics " + Addresses.text(address.getAddress()) + ":" + address.getPort()
                    + " is not a loopback address; bind metrics to 127.0.0.1 (or ::1) and scrape through a proxy or SSH");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + address + ": " + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                var body = render(state.get(), events.get()).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, exchange.getRequestMethod().equals("HEAD") ? -1 : body.length);
                if (!exchange.getRequestMethod().equals("HEAD")) {
                    exchange.getResponseBody().write(body);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "metrics scrape failed: {0}", e.toString());
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("metrics").daemon().unstarted(r)));
        server.start();
        LOG.log(Level.INFO, "Prometheus metrics on http://{0}:{1}/metrics", Addresses.text(address.getAddress()),
                Integer.toString(server.getAddress().getPort()));
        return new MetricsServer(server);
    }

    /// The exposition text (Prometheus text format 0.0.4).
    static String render(AgentState s, long events) {
        var b = new StringBuilder(4096);
        help(b, "pharos_config_info", "gauge", "The running configuration's revision (value is always 1).");
        b.append("pharos_config_info{revision=\"").append(esc(s.revision())).append("\",balancer=\"")
                .append(esc(s.balancer().backend())).append("\"} 1\n");
        help(b, "pharos_events_total", "counter", "Events published on the control channel since start.");
        b.append("pharos_events_total ").append(events).append('\n');
        help(b, "pharos_vrrp_state", "gauge", "VRRP state: 0 init, 1 backup, 2 master, 3 fault, -1 stopped.");
        for (var i : s.vrrp()) {
            b.append("pharos_vrrp_state").append(vrrp(i)).append(' ').append(stateCode(i.state())).append('\n');
        }
        help(b, "pharos_vrrp_priority", "gauge", "Effective VRRP priority (base priority plus tracking).");
        for (var i : s.vrrp()) {
            b.append("pharos_vrrp_priority").append(vrrp(i)).append(' ').append(i.effectivePriority()).append('\n');
        }
        help(b, "pharos_vrrp_transitions_total", "counter", "State transitions of the VRRP instance.");
        for (var i : s.vrrp()) {
            b.append("pharos_vrrp_transitions_total").append(vrrp(i)).append(' ').append(i.transitions()).append('\n');
        }
        help(b, "pharos_vrrp_counter_total", "counter", "VRRP statistics by name (adverts, receive-check failures).");
        for (var i : s.vrrp()) {
            for (var c : new TreeMap<>(i.counters()).entrySet()) {
                b.append("pharos_vrrp_counter_total{instance=\"").append(esc(i.name())).append("\",vrid=\"")
                        .append(i.vrid()).append("\",counter=\"").append(esc(c.getKey())).append("\"} ")
                        .append(c.getValue()).append('\n');
            }
        }
        help(b, "pharos_real_server_up", "gauge", "1 when the real server passes its checks, 0 when down, -1 unknown.");
        for (var vs : s.virtualServers()) {
            for (var rs : vs.realServers()) {
                int v = switch (rs.health()) {
                    case "up", "unchecked" -> 1;
                    case "down" -> 0;
                    default -> -1;
                };
                b.append("pharos_real_server_up").append(rs(vs, rs)).append(' ').append(v).append('\n');
            }
        }
        help(b, "pharos_real_server_weight", "gauge", "Weight in the service table (-1: not in it).");
        for (var vs : s.virtualServers()) {
            for (var rs : vs.realServers()) {
                b.append("pharos_real_server_weight").append(rs(vs, rs)).append(' ').append(rs.effectiveWeight()).append('\n');
            }
        }
        help(b, "pharos_real_server_connections", "gauge", "Active connections to the real server.");
        for (var vs : s.virtualServers()) {
            for (var rs : vs.realServers()) {
                b.append("pharos_real_server_connections").append(rs(vs, rs)).append(' ')
                        .append(rs.traffic().activeConnections()).append('\n');
            }
        }
        help(b, "pharos_real_server_bytes_total", "counter", "Bytes to (in) and from (out) the real server.");
        for (var vs : s.virtualServers()) {
            for (var rs : vs.realServers()) {
                var labels = rs(vs, rs);
                var in = labels.substring(0, labels.length() - 1) + ",direction=\"in\"}";
                var out = labels.substring(0, labels.length() - 1) + ",direction=\"out\"}";
                b.append("pharos_real_server_bytes_total").append(in).append(' ').append(rs.traffic().bytesIn()).append('\n');
                b.append("pharos_real_server_bytes_total").append(out).append(' ').append(rs.traffic().bytesOut()).append('\n');
            }
        }
        // Only where the backend reports them (the user-space balancer): no line rather than a false 0.
        help(b, "pharos_virtual_server_connection_cap", "gauge",
                "Most connections the user-space balancer takes for the virtual server at once.");
        for (var vs : s.virtualServers()) {
            if (vs.connectionCap() != null) {
                b.append("pharos_virtual_server_connection_cap").append(vs(vs)).append(' ').append(vs.connectionCap())
                        .append('\n');
            }
        }
        help(b, "pharos_virtual_server_refused_connections_total", "counter",
                "Connections the user-space balancer refused: at the cap, or no real server could take them.");
        for (var vs : s.virtualServers()) {
            if (vs.refusedConnections() != null) {
                b.append("pharos_virtual_server_refused_connections_total").append(vs(vs)).append(' ')
                        .append(vs.refusedConnections()).append('\n');
            }
        }
        return b.toString();
    }

    private static String vs(AgentState.VirtualServer vs) {
        return "{virtual_server=\"" + esc(vs.id()) + "\"}";
    }

    private static int stateCode(String state) {
        return switch (state) {
            case "INIT" -> 0;
            case "BACKUP" -> 1;
            case "MASTER" -> 2;
            case "FAULT" -> 3;
            default -> -1;
        };
    }

    private static String vrrp(AgentState.VrrpInstance i) {
        return "{instance=\"" + esc(i.name()) + "\",vrid=\"" + i.vrid() + "\"}";
    }

    private static String rs(AgentState.VirtualServer vs, AgentState.RealServer rs) {
        return "{virtual_server=\"" + esc(vs.id()) + "\",real_server=\"" + esc(rs.id()) + "\"}";
    }

    private static void help(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type.toLowerCase(Locale.ROOT)).append('\n');
    }

    /// Label values escape backslash, quote and newline (the text format's rule).
    private static String esc(String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
