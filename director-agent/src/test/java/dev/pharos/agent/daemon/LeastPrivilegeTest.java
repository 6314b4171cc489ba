package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.api.AgentState;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.control.ControlClient;
import dev.pharos.testing.Netns;
import dev.pharos.testing.Nginx;
import dev.pharos.testing.PharosAgent;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The agent as the systemd unit runs it: not root, but an ordinary user (`nobody`) holding only
/// CAP_NET_ADMIN, CAP_NET_RAW and CAP_NET_BIND_SERVICE (set up with util-linux's `setpriv`, as
/// `AmbientCapabilities=` does). It must do all of its work so: win the election and advertise,
/// add the VIP and announce it, relay TCP with the user-space balancer on port 80, and write an
/// operator's edit to its configuration file. Without a capability it names the one it lacks.
class LeastPrivilegeTest {

    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path TCPDUMP = Path.of("/usr/bin/tcpdump");
    private static final Path UNIT = Path.of("src/main/systemd/pharos-agent.service");
    private static final int NOBODY = 65534;
    private static final String UNIT_CAPS = "net_admin,net_raw,net_bind_service";
    /// CapEff of a process holding exactly CAP_NET_BIND_SERVICE (10), CAP_NET_ADMIN (12) and CAP_NET_RAW (13).
    private static final String UNIT_CAP_MASK = "0000000000003400";
    private static final Duration CALL = Duration.ofSeconds(20);

    private static final String CONFIG = """
            vrrp_instance VI_1 {
                state BACKUP
                interface eth0
                virtual_router_id 61
                priority 150
                advert_int 1
                virtual_ipaddress {
                    192.0.2.100
                }
            }
            virtual_server 192.0.2.100 80 {
                delay_loop 1
                lb_algo rr
                lb_kind NAT
                protocol TCP
                real_server 192.0.2.10 8080 {
                    weight 1
                    TCP_CHECK {
                        connect_timeout 1
                    }
                }
            }
            """;

    @Test
    void asNobodyWithTheUnitsThreeCapabilitiesTheAgentDoesAllItsWork(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available() && Files.isExecutable(SETPRIV) && Files.isExecutable(TCPDUMP) && Nginx.available(),
                "needs root, setpriv, tcpdump and nginx");
        var home = agentHome(dir);
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            var observer = net.host("o", "192.0.2.3/24");
            var real = net.host("r", "192.0.2.10/24");
            var capture = dir.resolve("capture.txt");
            var tcpdump = observer.start(capture, TCPDUMP.toString(), "-i", "eth0", "-n", "-l", "arp or ip proto 112");
            try (var nginx = Nginx.start(real, dir.resolve("nginx"), "real1", 8080);
                    var agent = PharosAgent.start(a, home, "a", CONFIG, launchAs(UNIT_CAPS, dir)
                            .withRunArguments(List.of("--balancer", "userspace")))) {
                owned(agent.configFile());
                var advert = Pattern.compile("IP 192\\.0\\.2\\.1 > 224\\.0\\.0\\.18: VRRPv2, Advertisement, vrid 61, prio 150");
                var garp = Pattern.compile("ARP, (Request who-has 192\\.0\\.2\\.100 (\\(\\S+\\) )?tell 192\\.0\\.2\\.100"
                        + "|Reply 192\\.0\\.2\\.100 is-at)");
                assertThat(Netns.await(Duration.ofSeconds(30), () -> count(capture, advert) >= 3 && count(capture, garp) >= 1))
                        .as("adverts and a gratuitous ARP from the unprivileged master%n%s%n%s", agent.log(),
                                read(capture)).isTrue();
                assertThat(agent.log()).contains("(VI_1) Entering MASTER STATE").doesNotContain("Exception");
                assertThat(a.addresses("eth0")).as("the VIP").contains("192.0.2.100");

                var status = Files.readString(Path.of("/proc", Long.toString(agent.pid()), "status"));
                assertThat(status).as("the agent's credentials").containsPattern("(?m)^Uid:\\s+" + NOBODY + "\\s")
                        .containsPattern("(?m)^CapEff:\\s+" + UNIT_CAP_MASK + "$");

                assertThat(Netns.await(Duration.ofSeconds(30), () -> observer.exec("/bin/bash", "-c",
                        "exec 3<>/dev/tcp/192.0.2.100/80 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && timeout 5 cat <&3")
                        .output().contains("real1")))
                        .as("the user-space balancer on port 80 relays to the real server%n%s", agent.log()).isTrue();

                try (var c = ControlClient.connect(agent.socket())) {
                    var base = c.call(Protocol.STATE_GET, null, AgentState.class, CALL).revision();
                    c.call(Protocol.REAL_SERVER_UPDATE, new Params.RealServerUpdate(base, "tcp/192.0.2.100:80",
                            "192.0.2.10:8080", 7, null), Results.Applied.class, CALL);
                }
                assertThat(Files.readString(agent.configFile())).as("the edit, written by the unprivileged agent")
                        .contains("weight 7");
                assertThat(Files.getAttribute(agent.configFile(), "unix:uid")).as("written by nobody").isEqualTo(NOBODY);
                try (var kept = Files.list(agent.stateDir().resolve("history"))) {
                    assertThat(kept.count()).as("the previous version kept in the state directory").isPositive();
                }
                assertThat(agent.stop()).as("graceful stop%n%s", agent.log()).isZero();
                assertThat(a.addresses("eth0")).as("the VIP removed on stop").doesNotContain("192.0.2.100");
            } finally {
                Netns.stop(tcpdump, Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void withoutTheCapabilitiesTheSentenceNamesThemNotRoot(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available() && Files.isExecutable(SETPRIV), "needs root and setpriv");
        var home = agentHome(dir);
        Files.writeString(home.resolve("k.conf"), CONFIG);
        owned(home.resolve("k.conf"));
        var launch = launchAs("net_bind_service", dir);
        var command = new ArrayList<>(launch.prefix());
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", launch.classPath(), "dev.pharos.agent.cli.Main", "run",
                "-f", home.resolve("k.conf").toString(), "--no-control", "--state-dir", home.resolve("state").toString()));
        var r = Netns.exec(Duration.ofSeconds(60), command.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains("director-agent: cannot start: the agent lacks CAP_NET_RAW (VRRP adverts and"
                + " gratuitous ARP) and CAP_NET_ADMIN (virtual addresses and the kernel's IPVS)")
                .contains("--ambient-caps=+net_raw,+net_admin").doesNotContain("root")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void directoriesTheUserMayNotWriteAreNamedWithTheUser(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available() && Files.isExecutable(SETPRIV), "needs root and setpriv");
        var launch = launchAs(UNIT_CAPS, dir);
        // root's directory, which nobody may read but not write: as /etc/keepalived before its chgrp
        var rootOwned = Files.createDirectory(dir.resolve("etc"));
        Files.setPosixFilePermissions(rootOwned, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(rootOwned.resolve("k.conf"), CONFIG);
        Files.setPosixFilePermissions(rootOwned.resolve("k.conf"), PosixFilePermissions.fromString("rw-r--r--"));
        var command = new ArrayList<>(launch.prefix());
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", launch.classPath(), "dev.pharos.agent.cli.Main", "run",
                "-f", rootOwned.resolve("k.conf").toString(), "--control-socket", rootOwned.resolve("run/agent.sock").toString(),
                "--state-dir", rootOwned.resolve("state").toString()));
        var r = Netns.exec(Duration.ofSeconds(60), command.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
        assertThat(r.output())
                .contains("user nobody may not write " + rootOwned + ": edits through the control channel will be refused")
                .contains("director-agent: cannot start: cannot create the control socket " + rootOwned.resolve("run/agent.sock")
                        + ": user nobody may not write " + rootOwned.resolve("run"))
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void withoutNetBindServiceALowBalancerPortNamesTheCapability(@TempDir Path dir) throws Exception {
        assumeTrue(Netns.available() && Files.isExecutable(SETPRIV), "needs root and setpriv");
        var home = agentHome(dir);
        try (var net = Netns.create()) {
            var a = net.host("a", "192.0.2.1/24");
            try (var agent = PharosAgent.start(a, home, "a", CONFIG, launchAs("net_admin,net_raw", dir)
                    .withRunArguments(List.of("--balancer", "userspace")))) {
                assertThat(Netns.await(Duration.ofSeconds(30), () -> agent.log().contains("0.0.0.0:80")))
                        .as(agent.log()).isTrue();
                assertThat(agent.log()).contains("EACCES: bind(0.0.0.0:80): ports below 1024 need CAP_NET_BIND_SERVICE");
            }
        }
    }

    @Test
    void theUnitRunsAsItsOwnUserWithExactlyTheseCapabilitiesAndVerifies() throws Exception {
        var unit = Files.readString(UNIT);
        assertThat(unit).containsPattern("(?m)^User=pharos$").containsPattern("(?m)^Group=pharos$")
                .containsPattern("(?m)^CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE$")
                .containsPattern("(?m)^AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE$")
                .containsPattern("(?m)^RestrictAddressFamilies=.*AF_NETLINK.*$")
                .containsPattern("(?m)^RestrictAddressFamilies=.*AF_PACKET.*$")
                .containsPattern("(?m)^ProtectSystem=strict$")
                .containsPattern("(?m)^ReadWritePaths=/etc/keepalived$")
                .containsPattern("(?m)^RuntimeDirectory=pharos$").containsPattern("(?m)^StateDirectory=pharos$")
                .doesNotContainPattern("(?m)^DynamicUser=");
        var analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze) && Files.isExecutable(Path.of("/usr/bin/java")),
                "systemd-analyze verify needs systemd-analyze and /usr/bin/java (the unit's ExecStart)");
        var r = Netns.exec(Duration.ofSeconds(60), analyze.toString(), "verify", UNIT.toAbsolutePath().toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).as("systemd-analyze verify warns of nothing").isBlank();
    }

    /// `setpriv` as `AmbientCapabilities=` with `User=nobody` would start the agent: uid and gid
    /// `nobody`, no supplementary groups, `caps` (e.g. `net_admin,net_raw`) inheritable, ambient
    /// and the whole bounding set; the class path copied where `nobody` can read it (below `dir`,
    /// which it may then pass through).
    private static PharosAgent.Launch launchAs(String caps, Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        var set = "-all," + Stream.of(caps.split(",")).map(c -> "+" + c).reduce((x, y) -> x + "," + y).orElseThrow();
        return PharosAgent.Launch.DEFAULT.withClassPath(readableClassPath(dir.resolve("lib")))
                .withPrefix(List.of(SETPRIV.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                        "--inh-caps=" + set, "--ambient-caps=" + set, "--bounding-set=" + set, "--"));
    }

    /// A directory `nobody` owns for the agent's files (configuration, socket, state), below a
    /// test directory it may pass through.
    private static Path agentHome(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        var home = Files.createDirectory(dir.resolve("agent"));
        owned(home);
        return home;
    }

    private static void owned(Path p) throws IOException {
        Files.setAttribute(p, "unix:uid", NOBODY);
        Files.setAttribute(p, "unix:gid", NOBODY);
    }

    /// The agent's class path (its classes and dependencies: Maven's repository under /root is
    /// closed to other users) copied into `lib`, readable by all.
    private static String readableClassPath(Path lib) throws IOException {
        Files.createDirectories(lib);
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxr-xr-x"));
        var entries = new ArrayList<String>();
        int n = 0;
        for (var entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            var source = Path.of(entry);
            if (!Files.exists(source) || source.endsWith("test-classes")) {
                continue;
            }
            var target = lib.resolve((n++) + "-" + source.getFileName());
            try (var walk = Files.walk(source)) {
                for (var p : walk.toList()) {
                    var to = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x"
                            : "rw-r--r--"));
                }
            }
            entries.add(target.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static long count(Path capture, Pattern p) {
        return read(capture).lines().filter(l -> p.matcher(l).find()).count();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
