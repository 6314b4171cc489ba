package dev.pharos.agent.ipvs.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.testing.vm.SeedLab;
import dev.pharos.testing.vm.Vm;

/// The seed post end to end on a real kernel ([SeedLab]): two Pharos agents as the post's dual
/// master LVS-DR directors, kernel IPVS, real servers with the VIPs on `lo`. Checked: both
/// directors' tables; replies go from the real servers straight to the client (none seen on the
/// master director's interface, and the client receives them from the real servers' MACs); wrr
/// over eight client addresses; a real server whose nginx stops leaves through its HTTP_GET
/// checker and comes back; losing the master director (its link, later its agent killed too)
/// moves VIP1 to the backup and new connections follow; an established connection is reset
/// without `lvs_sync_daemon` and goes on with it; and the sync daemons start on SIGHUP in the
/// role of VI_1's state, switch master/backup with it (`ipvsadm -L --daemon`) and stop at a
/// graceful stop.
@Tag("vm")
class KernelIpvsVmSeedTest {

    @Test
    void theSeedsDualMasterLvsDrSetup() throws ConfigException {
        var vm = Vm.require();
        var files = SeedLab.files();
        var run = vm.run(SeedLab.RUN, files, Duration.ofMinutes(14));
        var e = new SeedLab.Evidence(run.files());
        System.out.printf("vm seed test: booted in %.1f s, whole run %d s; failover gaps (s): new connections"
                + " without sync %s, with sync %s; the kept connection with sync %s%n%s", run.bootSeconds(),
                run.elapsed().toSeconds(), e.gap("probe-nosync", "nosync"), e.gap("probe-sync", "sync"),
                e.gap("conn-sync", "sync"), run.output());
        var ratio = SeedLab.clockRatio(run.output(), run.elapsed());
        var context = (ratio > 1.2 ? String.format("THE GUEST'S CLOCK RAN %.1f TIMES AS FAST AS THE HOST'S (its TSC"
                + " calibration under load): its deadlines were that much shorter%n", ratio) : "")
                + "script output:\n" + run.output() + "\n" + logs(run.files());

        assertThat(run.output()).as(context).doesNotContain("timed out");
        // Both directors hold the post's whole table.
        var expected = ExpectedIpvsadm.lines(parse(files.get("lvs-master.conf")).virtualServers(), rs -> false);
        assertThat(e.file("table-a").lines().toList()).as(context).isEqualTo(expected);
        assertThat(e.file("table-b").lines().toList()).as(context).isEqualTo(expected);

        // wrr with the post's equal weights alternates over new clients.
        var perServer = e.file("wrr").lines().map(l -> l.split(" ")).collect(Collectors.groupingBy(
                p -> p.length > 1 ? p[1] : "none", Collectors.counting()));
        assertThat(perServer).as(context).isEqualTo(Map.of("rs1", 4L, "rs2", 4L));

        // Direct routing: requests cross the director, replies do not.
        assertThat(Integer.parseInt(e.file("dira-requests").strip())).as(context).isPositive();
        assertThat(Integer.parseInt(e.file("dira-replies").strip())).as(context).isZero();
        var macs = e.file("macs").lines().map(l -> l.split(" ")).collect(Collectors.toMap(p -> p[1], p -> p[0]));
        var repliedFrom = e.file("client-reply-macs").lines().map(l -> macs.get(l.strip().split("\\s+")[1]))
                .collect(Collectors.toSet());
        assertThat(repliedFrom).as("the hosts the client's replies came from\n" + context)
                .containsExactlyInAnyOrder("rs1", "rs2");

        // HTTP_GET drops the real server whose nginx stopped.
        var rs2Down = ExpectedIpvsadm.lines(parse(files.get("lvs-master.conf")).virtualServers(),
                rs -> rs.address().getHostAddress().equals("192.0.2.41"));
        assertThat(e.file("table-a-rs2-down").lines().toList()).as(context).isEqualTo(rs2Down);

        // Without lvs_sync_daemon: no daemon, and the backup resets the connection it has no entry for.
        assertThat(e.file("daemons-nosync-a") + e.file("daemons-nosync-b") + e.file("daemons-nosync-after-b"))
                .as(context).isBlank();
        assertThat(e.answers("conn-nosync").getLast().text()).as(context).isIn("lost", "write-failed");
        assertThat(e.gap("probe-nosync", "nosync")).as(context).isPresent();

        // With it: the daemons follow VI_1 (dirb is its master when it reloads) and the connection
        // goes on to the same real server.
        assertThat(e.file("daemons-reloaded-b")).as(context).startsWith("master sync daemon (mcast=ens33, syncid=90,");
        assertThat(e.file("daemons-sync-a")).as(context).startsWith("master sync daemon (mcast=ens33, syncid=90,")
                .doesNotContain("backup");
        assertThat(e.file("daemons-sync-b")).as(context).startsWith("backup sync daemon (mcast=ens33, syncid=90,")
                .doesNotContain("master");
        assertThat(e.file("daemons-after-b")).as(context).startsWith("master sync daemon (mcast=ens33, syncid=90,")
                .doesNotContain("backup");
        assertThat(e.file("conns-b")).as(context).contains("ESTABLISHED 192.0.2.100:");
        var kept = e.answers("conn-sync");
        var kill = e.killedAt("sync");
        assertThat(kept).as(context).anyMatch(a -> a.at() > kill && a.served());
        assertThat(kept.stream().map(SeedLab.Answer::text).distinct().toList()).as("one connection, one server\n"
                + context).hasSize(1);
        assertThat(run.output()).as(context).contains("agent b exited with 0");
        assertThat(e.file("daemons-stopped-b")).as("a graceful stop stops the daemon\n" + context).isBlank();
    }

    private static KeepalivedConfig parse(String text) throws ConfigException {
        return ConfigLoader.parse(Path.of("lvs-master.conf"), text).config();
    }

    private static String logs(Map<String, String> files) {
        var out = new HashMap<String, String>(files);
        out.keySet().removeIf(name -> !name.startsWith("agent-"));
        return out.entrySet().stream().map(f -> f.getKey() + ":\n" + f.getValue())
                .collect(Collectors.joining("\n"));
    }
}
