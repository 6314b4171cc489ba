package dev.pharos.agent.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/// The Linux capabilities the agent uses, and whether this process has them in its effective set
/// (read from `/proc/self/status`). Root is neither needed nor enough: the systemd unit runs the
/// agent as its own user with exactly these capabilities, and a container or a locked-down unit may
/// run root without them. So every sentence here names the capability, never "root".
public final class Privileges {

    /// A capability the agent may need, with its number (`linux/capability.h`) and what for.
    public enum Capability {
        CAP_NET_BIND_SERVICE(10, "user-space balancer ports below 1024"),
        CAP_NET_ADMIN(12, "virtual addresses and the kernel's IPVS"),
        CAP_NET_RAW(13, "VRRP adverts and gratuitous ARP");

        private final int number;
        private final String purpose;

        Capability(int number, String purpose) {
            this.number = number;
            this.purpose = purpose;
        }

        /// The name `setpriv` and `capsh` take: `net_raw`.
        public String shortName() {
            return name().substring(4).toLowerCase(Locale.ROOT);
        }

        boolean in(long mask) {
            return (mask & (1L << number)) != 0;
        }
    }

    /// What VRRP cannot run without: raw sockets and address changes.
    static final List<Capability> FOR_VRRP = List.of(Capability.CAP_NET_RAW, Capability.CAP_NET_ADMIN);

    private Privileges() {
    }

    /// Empty when the agent has what VRRP needs, else one sentence naming what is missing and how to grant it.
    public static Optional<String> missingForVrrp() {
        return missing(effectiveCapabilities(), FOR_VRRP);
    }

    /// The sentence for the capabilities of `needed` absent from `effective`, or empty.
    static Optional<String> missing(long effective, List<Capability> needed) {
        var absent = needed.stream().filter(c -> !c.in(effective)).toList();
        if (absent.isEmpty()) {
            return Optional.empty();
        }
        var what = new StringBuilder();
        var names = new StringBuilder();
        for (int i = 0; i < absent.size(); i++) {
            var c = absent.get(i);
            what.append(i == 0 ? "" : i == absent.size() - 1 ? " and " : ", ").append(c.name()).append(" (")
                    .append(c.purpose).append(')');
            names.append(i == 0 ? "" : ",").append('+').append(c.shortName());
        }
        return Optional.of("the agent lacks " + what + " in its effective capabilities: start it from the systemd"
                + " unit, which grants them to its own user, or with 'setpriv --inh-caps=" + names + " --ambient-caps="
                + names + " …'");
    }

    static long effectiveCapabilities() {
        try {
            for (var line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
