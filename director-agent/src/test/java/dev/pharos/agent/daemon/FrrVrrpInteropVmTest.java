package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.pharos.testing.vm.GuestAgent;
import dev.pharos.testing.vm.Vm;

/// VRRPv3 between Pharos and FRR's vrrpd (Debian's 8.4), IPv4 and IPv6 at once, in the virtual
/// machine: FRR needs a macvlan holding the VIPs with the virtual MAC (it sets the macvlan
/// `protodown` while Backup), and this host's kernel has no macvlan; Debian's has.
///
/// In the guest, namespaces `frr` and `pha` meet on a bridge. FRR runs zebra and vrrpd (VRID 5,
/// `vrrp 5 ip 192.0.2.50`, `vrrp 5 ipv6 2001:db8::50`, on macvlans `vrrp4-5` and `vrrp6-5` over
/// `eth0`, mode bridge, `addrgenmode random`); Pharos runs two instances with VRID 5 on `eth0`,
/// one per family, priority 150. One boot, two JVMs (each costs a minute or more under TCG),
/// and vrrpd's priority moved between 100 and 200 by `vtysh` and by its file:
///
/// 1. Pharos master, FRR (100) backup: both families, FRR's macvlans in protodown;
/// 2. Pharos `kill -9`: FRR takes over after its Master_Down_Interval;
/// 3. Pharos back: it preempts FRR;
/// 4. FRR's priority to 200 (`vtysh`): FRR preempts Pharos;
/// 5. vrrpd SIGTERM (priority 0): Pharos takes over;
/// 6. vrrpd back with 200: it preempts Pharos;
/// 7. vrrpd `kill -9`: Pharos takes over;
/// 8. vrrpd back with 100: it stays backup to Pharos;
/// 9. Pharos SIGTERM (priority 0): FRR takes over, and the agent exits with 0.
///
/// vrrpd logs every advert it takes (`debug vrrp protocol`) and every one it drops with the reason
/// (`debug vrrp packets`: "Datagram invalid", e.g. a bad checksum); the test requires none dropped
/// and Pharos's priority-0 adverts taken. A capture in Pharos's namespace shows vrrpd's own.
///
/// About 6 minutes on a 2-core host loaded by other builds (load average near 20, 2026-12-07),
/// of which the two agents' JVM starts took 80–115 s each; the takeovers themselves take seconds.
/// What FRR 8.4 does differently from Pharos: docs/protocol.md, "FRR vrrpd".
@Tag("vm")
class FrrVrrpInteropVmTest {

    private static final String PHAROS_CONFIG = """
            vrrp_instance VI_4 {
                state BACKUP
                interface eth0
                version 3
                virtual_router_id 5
                priority 150
                advert_int 1
                virtual_ipaddress {
                    192.0.2.50/24
                }
            }
            vrrp_instance VI_6 {
                state BACKUP
                interface eth0
                virtual_router_id 5
                priority 150
                advert_int 1
                virtual_ipaddress {
                    2001:db8::50/64
                }
            }
            """;

    private static String vrrpd(int priority) {
        return """
                log stdout debugging
                debug vrrp protocol
                debug vrrp packets
                interface eth0
                 vrrp 5 version 3
                 vrrp 5 priority %d
                 vrrp 5 advertisement-interval 1000
                 vrrp 5 ip 192.0.2.50
                 vrrp 5 ipv6 2001:db8::50
                """.formatted(priority);
    }

    /// The phases the script waits for, in order; each prints `NAME: after S s` or `NAME: timed out`.
    private static final List<String> PHASES = List.of("pharos-master", "pharos-master-steady",
            "frr-takes-over-after-kill", "pharos-preempts", "frr-preempts-by-priority", "frr-master-steady",
            "pharos-takes-over-after-sigterm", "frr-preempts-after-restart", "pharos-takes-over-after-kill",
            "frr-backup-after-restart", "frr-backup-steady", "frr-takes-over-after-sigterm");

    private static final String SCRIPT = """
            set -u
            trap '' PIPE
            uptime_s() { cut -d' ' -f1 /proc/uptime; }
            say() { echo "[$(uptime_s)] $*"; }
            # await NAME LIMIT COMMAND...: polls COMMAND until it succeeds, for at most LIMIT s
            await() {
                name=$1; limit=$2; shift 2; t0=$(uptime_s)
                while :; do
                    if "$@" >/dev/null 2>&1; then say "$name: after $(awk "BEGIN{print $(uptime_s)-$t0}") s"; return 0; fi
                    if awk "BEGIN{exit !($(uptime_s)-$t0 > $limit)}"; then say "$name: timed out after $limit s"; give_up; fi
                    sleep 0.3
                done
            }
            # a phase failed: what both sides show, then stop (the later phases build on it)
            give_up() {
                ip netns exec frr vtysh --vty_socket /tmp/frr -c 'show vrrp'
                ip -n frr -d link show; ip -n frr addr show; ip -n pha addr show
                exit 1
            }
            # steady NAME SECONDS COMMAND...: COMMAND holds at every poll for SECONDS
            steady() {
                name=$1; limit=$2; shift 2; t0=$(uptime_s)
                while awk "BEGIN{exit !($(uptime_s)-$t0 <= $limit)}"; do
                    if ! "$@" >/dev/null 2>&1; then say "$name: broke after $(awk "BEGIN{print $(uptime_s)-$t0}") s"; give_up; fi
                    sleep 0.3
                done
                say "$name: after $limit s"
            }
            pha_has() { ip -n pha -o addr show dev eth0 | grep -q " $1/"; }
            pharos_holds() { pha_has 192.0.2.50 && pha_has 2001:db8::50; }
            pharos_holds_none() { ! pha_has 192.0.2.50 && ! pha_has 2001:db8::50; }
            frr_status() { ip netns exec frr vtysh --vty_socket /tmp/frr -c 'show vrrp' | grep -q "Status (v$1)  *$2"; }
            protodown() { ip -n frr -d link show "$1" | grep -q 'protodown on'; }
            frr_master() { frr_status 4 Master && frr_status 6 Master && ! protodown vrrp4-5 && ! protodown vrrp6-5; }
            frr_backup() { frr_status 4 Backup && frr_status 6 Backup && protodown vrrp4-5 && protodown vrrp6-5; }
            pharos_master() { pharos_holds && frr_backup; }
            frr_master_only() { frr_master && pharos_holds_none; }
            # after a kill -9 the VIPs stay on Pharos's interface, as after keepalived's
            frr_took_over() { frr_master; }
            # after vrrpd's kill -9 its macvlans stay up: only Pharos's side is asked
            pharos_took_over() { pharos_holds; }
            no_tentative() { test -z "$(ip -n "$1" -6 addr show tentative)"; }

            for m in @MODULES@; do /bin/busybox insmod "$m"; done
            ip link add br0 type bridge && ip link set br0 up
            mk() {
                ip netns add "$1"
                ip link add "v-$1" type veth peer name eth0 netns "$1"
                ip link set "v-$1" master br0 up
                ip -n "$1" link set lo up; ip -n "$1" link set eth0 up
                ip -n "$1" addr add "$2/24" dev eth0
                ip -n "$1" addr add "$3/64" dev eth0
            }
            mk frr 192.0.2.1 2001:db8::1
            mk pha 192.0.2.2 2001:db8::2
            # FRR's macvlans, as its manual builds them: the virtual MAC, mode bridge (vrrpd hears
            # adverts on eth0 while the macvlan is in protodown), a random link-local (the IPv6
            # adverts' source, which must differ from the other routers'), the VIPs on them.
            # `addrgenmode` goes in a second command: this kernel refuses it in the `add`
            # (EAFNOSUPPORT), where FRR's manual puts it.
            ip -n frr link add vrrp4-5 link eth0 type macvlan mode bridge
            ip -n frr link set dev vrrp4-5 addrgenmode random
            ip -n frr link set dev vrrp4-5 address 00:00:5e:00:01:05
            ip -n frr addr add 192.0.2.50/24 dev vrrp4-5
            ip -n frr link set dev vrrp4-5 up
            ip -n frr link add vrrp6-5 link eth0 type macvlan mode bridge
            ip -n frr link set dev vrrp6-5 addrgenmode random
            ip -n frr link set dev vrrp6-5 address 00:00:5e:00:02:05
            ip -n frr addr add 2001:db8::50/64 dev vrrp6-5 nodad
            ip -n frr link set dev vrrp6-5 up
            await addresses-ready 60 sh -c 'ip -n frr -6 addr show dev vrrp6-5 scope link | grep -q fe80 && test -z "$(ip -n frr -6 addr show tentative)" && test -z "$(ip -n pha -6 addr show tentative)"'
            ip -n frr -d link show > links-frr
            ip -n frr addr show >> links-frr

            ip netns exec pha tcpdump -i eth0 -n -l -vv 'ip proto 112 or ip6 proto 112' > capture-pha 2> capture-pha.err &
            td=$!

            mkdir -p /tmp/frr; chmod 755 /tmp/frr; : > /tmp/frr/zebra.conf
            chown -R frr:frr /tmp/frr
            ip netns exec frr /usr/lib/frr/zebra -u frr -g frr -f /tmp/frr/zebra.conf -i /tmp/frr/zebra.pid \\
                -z /tmp/frr/zserv.api --vty_socket /tmp/frr > zebra.log 2>&1 &
            zebra=$!
            await zebra-up 120 test -S /tmp/frr/zserv.api
            # vrrpd on a file with priority $1; its log goes on in vrrpd.log
            vrrpd_start() {
                cp "vrrpd-$1.conf" /tmp/frr/vrrpd.conf; chown frr:frr /tmp/frr/vrrpd.conf
                rm -f /tmp/frr/vrrpd.vty
                echo "=== vrrpd start, priority $1, at $(uptime_s)" >> vrrpd.log
                ip netns exec frr /usr/lib/frr/vrrpd -u frr -g frr -f /tmp/frr/vrrpd.conf -i /tmp/frr/vrrpd.pid \\
                    -z /tmp/frr/zserv.api --vty_socket /tmp/frr >> vrrpd.log 2>&1 &
                vrrpd=$!
                await "vrrpd-up-$1" 120 test -S /tmp/frr/vrrpd.vty
            }
            pharos_start() {
                ip netns exec pha @AGENT@ &
                pharos=$!
            }
            marks() { echo "$1 $(uptime_s)" >> marks; }

            vrrpd_start 100
            say "Pharos (150) starts beside FRR (100)"
            pharos_start
            await pharos-master 300 pharos_master
            steady pharos-master-steady 5 pharos_master

            say "Pharos is killed (-9)"
            marks pharos-kill
            kill -9 $pharos; wait $pharos 2>/dev/null
            await frr-takes-over-after-kill 60 frr_took_over
            mv agent.log agent-1.log

            say "Pharos starts again"
            pharos_start
            await pharos-preempts 300 pharos_master

            say "FRR's priority goes to 200"
            marks frr-priority-200
            ip netns exec frr vtysh --vty_socket /tmp/frr -c 'configure terminal' -c 'interface eth0' \\
                -c 'vrrp 5 priority 200'
            await frr-preempts-by-priority 60 frr_master_only
            steady frr-master-steady 5 frr_master_only

            say "vrrpd stops (SIGTERM)"
            marks vrrpd-term
            kill -TERM $vrrpd; wait $vrrpd; echo "vrrpd exited with $?"
            await pharos-takes-over-after-sigterm 60 pharos_holds

            vrrpd_start 200
            await frr-preempts-after-restart 60 frr_master_only

            say "vrrpd is killed (-9)"
            marks vrrpd-kill
            kill -9 $vrrpd; wait $vrrpd 2>/dev/null
            await pharos-takes-over-after-kill 60 pharos_took_over

            vrrpd_start 100
            await frr-backup-after-restart 60 pharos_master
            steady frr-backup-steady 5 pharos_master

            say "Pharos stops (SIGTERM)"
            marks pharos-term
            kill -TERM $pharos; wait $pharos; echo "agent exited with $?"
            await frr-takes-over-after-sigterm 60 frr_master_only

            ip netns exec frr vtysh --vty_socket /tmp/frr -c 'show vrrp' > show-vrrp
            # the capture ends before vrrpd's own last stop, whose priority 0 it must not count
            kill $td; wait $td
            kill -TERM $vrrpd; wait $vrrpd
            kill -TERM $zebra; wait $zebra
            say "done"
            """;

    @Test
    void pharosAndFrrTakeOverFromEachOtherBothWaysOverIpv4AndIpv6() {
        var vm = Vm.require();
        var agent = GuestAgent.command("userspace", Vm.GUEST_DIR + "/agent.conf", "/run/pharos-state",
                Vm.GUEST_DIR + "/agent.log", "--no-control");
        var files = new LinkedHashMap<String, String>();
        files.put("agent.conf", PHAROS_CONFIG);
        files.put("vrrpd-100.conf", vrrpd(100));
        files.put("vrrpd-200.conf", vrrpd(200));
        var modules = String.join(" ", vm.modules("macvlan").stream().map(GuestAgent::quote).toList());
        files.put("frr.sh", SCRIPT.replace("@AGENT@", agent).replace("@MODULES@", modules));
        var run = vm.run("exec bash ./frr.sh\n", files, Duration.ofMinutes(10));
        System.out.printf("vm FRR vrrpd interop: booted in %.1f s, whole run %d s%n%s", run.bootSeconds(),
                run.elapsed().toSeconds(), run.output());
        var out = run.files();
        var agentLog = out.getOrDefault("agent-1.log", "") + "\n--- second agent ---\n" + out.getOrDefault("agent.log", "");
        var vrrpdLog = out.getOrDefault("vrrpd.log", "");
        var context = "script output:\n" + run.output() + "\nagent logs:\n" + agentLog + "\nvrrpd log (tail):\n"
                + tail(vrrpdLog) + "\nzebra log:\n" + out.getOrDefault("zebra.log", "") + "\nlinks:\n"
                + out.getOrDefault("links-frr", "");

        for (var phase : PHASES) {
            assertThat(run.output()).as(phase + "\n" + context).containsPattern("\\] " + phase + ": after [0-9.]+ s");
        }
        assertThat(run.output()).as(context).contains("agent exited with 0", "vrrpd exited with 0");

        // Pharos took FRR's adverts for both families: it stepped down on them, with no check failing.
        assertThat(agentLog).as(context)
                .contains("(VI_4) Entering MASTER STATE", "(VI_6) Entering MASTER STATE")
                .contains("(VI_4) Entering BACKUP STATE (higher priority 200 from 192.0.2.1, ours 150)")
                .containsPattern("\\(VI_6\\) Entering BACKUP STATE \\(higher priority 200 from fe80:[0-9a-f:]+, ours 150\\)")
                .doesNotContain("next report in");
        // vrrpd took Pharos's adverts, the graceful stop's priority 0 among them, and dropped none.
        assertThat(vrrpdLog).as(context)
                .contains("Received VRRP Advertisement from 192.0.2.2: version 3, type 1 (ADVERTISEMENT), vrid 5, priority 150")
                .contains("Received VRRP Advertisement from 192.0.2.2: version 3, type 1 (ADVERTISEMENT), vrid 5, priority 0")
                .containsPattern("Received VRRP Advertisement from fe80:[0-9a-f:]+: version 3, type 1 \\(ADVERTISEMENT\\), vrid 5, priority 0")
                .doesNotContain("Datagram invalid");
        // vrrpd's graceful stop sent priority 0 for both families to Pharos's link.
        assertThat(out.getOrDefault("capture-pha", "")).as(context)
                .containsPattern("192\\.0\\.2\\.1 > 224\\.0\\.0\\.18: VRRPv3, Advertisement, vrid 5, prio 0,")
                .containsPattern("fe80:[0-9a-f:]+ > ff02::12: VRRPv3, Advertisement, vrid 5, prio 0,");
    }

    private static String tail(String text) {
        return text.length() <= 20_000 ? text : text.substring(text.length() - 20_000);
    }
}
