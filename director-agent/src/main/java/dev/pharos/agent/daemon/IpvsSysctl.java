package dev.pharos.agent.daemon;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/// The kernel IPVS's switches under `/proc/sys/net/ipv4/vs`, which belong to the network namespace
/// the agent runs in (they exist once the `ip_vs` module is loaded).
///
/// With several active directors behind ECMP, a membership change makes the router send an
/// established flow to a director that has never seen it. IPVS creates connections from a SYN
/// only, so that director drops the flow's next packet to its own stack, which answers with a
/// reset; `sloppy_tcp` (and `sloppy_sctp`) let IPVS schedule from any packet, and with `mh` the new
/// director picks the real server the old one picked, so the flow carries on.
final class IpvsSysctl {

    private static final System.Logger LOG = System.getLogger(IpvsSysctl.class.getName());
    static final Path THIS_NAMESPACE = Path.of("/proc/sys/net/ipv4/vs");
    static final String SLOPPY_TCP = "sloppy_tcp";
    static final String SLOPPY_SCTP = "sloppy_sctp";

    private final Path directory;

    IpvsSysctl(Path directory) {
        this.directory = directory;
    }

    /// Turns `sloppy_tcp` and `sloppy_sctp` on, logging what each was; a switch that cannot be
    /// written (a read-only `/proc/sys` in a container) is a warning saying what to do.
    void sloppyOn() {
        for (var name : List.of(SLOPPY_TCP, SLOPPY_SCTP)) {
            try {
                int was = set(name, 1);
                LOG.log(Level.INFO, "net.ipv4.vs.{0} = 1 (was {1}): a director the router moves an established"
                        + " flow to carries it on", name, String.valueOf(was));
            } catch (IOException | NumberFormatException e) {
                LOG.log(Level.WARNING, "could not set net.ipv4.vs.{0} = 1 ({1}): flows the router moves to this"
                        + " director are reset; set it with sysctl, or write sloppy_tcp off in the announce file"
                        + " to silence this", name, e.getMessage());
            }
        }
    }

    /// Writes `value` to the switch `name` and returns the value it had.
    int set(String name, int value) throws IOException {
        var file = directory.resolve(name);
        int was = Integer.parseInt(Files.readString(file).strip());
        if (was != value) {
            Files.writeString(file, value + "\n");
        }
        return was;
    }
}
