package dev.pharos.agent.check;

import dev.pharos.testing.Netns;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/// A point-to-point veth link from this process's network namespace to a test host, so checks
/// running in the test JVM reach real servers inside a namespace. Only the two /32 addresses
/// (203.0.113.0/24, chosen per run) are added; deleting the host's namespace deletes the link,
/// and [#close()] deletes it at once.
final class RootLink implements AutoCloseable {

    private final String outer;
    private final InetAddress local;
    private final InetAddress remote;
    private final Netns.Host host;
    private final String inner;

    private RootLink(Netns.Host host, String outer, String inner, InetAddress local, InetAddress remote) {
        this.host = host;
        this.outer = outer;
        this.inner = inner;
        this.local = local;
        this.remote = remote;
    }

    static RootLink to(Netns.Host host) throws UnknownHostException {
        long pid = ProcessHandle.current().pid();
        int k = (int) (pid % 120);
        var local = InetAddress.getByName("203.0.113." + (2 * k + 2));
        var remote = InetAddress.getByName("203.0.113." + (2 * k + 3));
        var outer = "phck" + Long.toString(pid, 36);
        var inner = "rl0";
        outer = outer.length() > 15 ? outer.substring(0, 15) : outer;
        Netns.run("ip", "link", "add", outer, "type", "veth", "peer", "name", outer + "p");
        var link = new RootLink(host, outer, inner, local, remote);
        try {
            Netns.run("ip", "link", "set", outer + "p", "netns", host.name());
            Netns.run("ip", "-n", host.name(), "link", "set", outer + "p", "name", inner);
            Netns.run("ip", "addr", "add", local.getHostAddress() + "/32", "peer", remote.getHostAddress() + "/32", "dev", outer);
            Netns.run("ip", "-n", host.name(), "addr", "add", remote.getHostAddress() + "/32", "peer",
                    local.getHostAddress() + "/32", "dev", inner);
            Netns.run("ip", "link", "set", outer, "up");
            Netns.run("ip", "-n", host.name(), "link", "set", inner, "up");
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
        return link;
    }

    /// The host's address on the link.
    InetAddress remote() {
        return remote;
    }

    /// Cuts or restores the link on the host's side: the host vanishes from the network.
    void hostSide(boolean up) {
        Netns.run("ip", "-n", host.name(), "link", "set", inner, up ? "up" : "down");
    }

    @Override
    public void close() {
        Netns.exec(Duration.ofSeconds(10), "ip", "link", "del", outer);
    }
}
