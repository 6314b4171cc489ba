package dev.pharos.testing.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/// The seed post's setup (keepalived + LVS-DR, two directors as dual masters) in network
/// namespaces inside the guest: a client, directors `dira` and `dirb` whose VRRP meets on a
/// bridge, and real servers `rs1` and `rs2` with both VIPs on `lo` and the post's
/// `arp_ignore`/`arp_announce` settings, each running nginx that answers with its name on ports 80
/// and 443 (plain HTTP on both: the post's TLS on 443 is not what is tested). The directors run
/// the post's two files unchanged but for the addresses, which move from 172.17.x.y to
/// 192.0.2.y (every one of the post's last octets is distinct, so the mapping is one to one).
///
/// The script goes through: both agents up with the post's files as they are (no connection
/// sync); a request from each of eight client addresses (wrr, with captures on the master
/// director and on the client that show the replies bypass the director); rs2's nginx killed
/// and back (HTTP_GET); the master director's link down while a keep-alive connection is open
/// and a probe opens new connections; both agents reloaded (SIGHUP) with
/// `lvs_sync_daemon ens33 VI_1`, the link back (VI_1 returns to `dira`); then the master
/// director killed (agent `kill -9` and its link down) under the same traffic. Two JVMs in
/// all: each costs tens of seconds under TCG. With a file `bench-only` the first checks are
/// left out (bench/vm-failover). It leaves its evidence in files, read by [Evidence].
public final class SeedLab {

    private SeedLab() {
    }

    /// The guest's addresses, from the post's: directors' DIPs .10 and .43, VIPs .11 and .12,
    /// real servers .66 and .41; the client is .100, with .101–.108 for the wrr requests and
    /// .120 for the failover probe.
    public static String documentationAddresses(String seedText) {
        return Pattern.compile("172\\.17\\.\\d{1,3}\\.(\\d{1,3})").matcher(seedText).replaceAll("192.0.2.$1");
    }

    /// The post's file for `director` (`lvs-master` or `lvs-backup`), as the tests keep it.
    public static String seedFile(String director) {
        try (InputStream in = SeedLab.class.getResourceAsStream("/config/seed/" + director + ".conf")) {
            if (in == null) {
                throw new IllegalStateException("the seed's " + director + ".conf is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /// The same file with connection sync on (the only line added).
    public static String withSync(String config) {
        return "global_defs {\n    lvs_sync_daemon ens33 VI_1\n}\n" + config;
    }

    /// The files the script needs, by name.
    public static Map<String, String> files() {
        var master = documentationAddresses(seedFile("lvs-master"));
        var backup = documentationAddresses(seedFile("lvs-backup"));
        var files = new LinkedHashMap<String, String>();
        files.put("lvs-master.conf", master);
        files.put("lvs-backup.conf", backup);
        files.put("lvs-master-sync.conf", withSync(master));
        files.put("lvs-backup-sync.conf", withSync(backup));
        files.put("seed.sh", SCRIPT.replace("@AGENT_A@", agent("lvs-master.conf", "a"))
                .replace("@AGENT_B@", agent("lvs-backup.conf", "b")));
        return files;
    }

    /// The script to pass to [Vm#run] with [#files].
    public static final String RUN = "exec bash ./seed.sh\n";

    private static String agent(String config, String director) {
        var words = new ArrayList<>(List.of("run", "-f", Vm.GUEST_DIR + "/" + config, "--balancer", "kernel",
                "--state-dir", "/run/pharos-" + director, "--no-control"));
        return GuestAgent.java("dev.pharos.agent.cli.Main", words.toArray(String[]::new)) + " > "
                + GuestAgent.quote(Vm.GUEST_DIR + "/agent-" + director + ".log") + " 2>&1";
    }

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
                    if awk "BEGIN{exit !($(uptime_s)-$t0 > $limit)}"; then say "$name: timed out after $limit s"; return 1; fi
                    sleep 0.3
                done
            }
            holds() { ip -n "$1" -o -4 addr show dev ens33 | grep -q " $2/"; }
            lacks() { ! holds "$@"; }
            serves() { ip netns exec "$1" ipvsadm -Ln -t "$2" | grep -q -- "-> $3:"; }
            dropped() { ip netns exec "$1" ipvsadm -Ln -t "$2" >/dev/null && ! serves "$@"; }
            daemon() { ip netns exec "$1" ipvsadm -L --daemon | grep -q "^$2 sync daemon (mcast=ens33, syncid=90,"; }
            answers() { test "$(grep -c ' rs' "$1")" -ge "$2"; }
            answered_after() { awk -v t="$2" '$1 > t && $2 ~ /^rs/ {found=1} END {exit !found}' "$1"; }
            ended() { grep -q -e ' lost' -e ' write-failed' "$1"; }
            listening() { grep -q listening "$1"; }

            ip link add br0 type bridge && ip link set br0 up
            mk() {
                ip netns add "$1"
                ip link add "v-$1" type veth peer name ens33 netns "$1"
                ip link set "v-$1" master br0 up
                ip -n "$1" link set lo up; ip -n "$1" link set ens33 up
                ip -n "$1" addr add "$2/24" dev ens33
            }
            mk client 192.0.2.100; mk dira 192.0.2.10; mk dirb 192.0.2.43; mk rs1 192.0.2.66; mk rs2 192.0.2.41
            for i in 1 2 3 4 5 6 7 8; do ip -n client addr add 192.0.2.10$i/24 dev ens33; done
            ip -n client addr add 192.0.2.120/24 dev ens33
            for n in client dira dirb rs1 rs2; do
                echo "$n $(ip -n $n -o link show ens33 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)"
            done > macs

            # The post's real-server settings: the VIPs on lo, ARP for them left to the directors.
            for rs in rs1 rs2; do
                ip netns exec $rs sh -c 'echo 1 > /proc/sys/net/ipv4/conf/lo/arp_ignore
                    echo 2 > /proc/sys/net/ipv4/conf/lo/arp_announce
                    echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore
                    echo 2 > /proc/sys/net/ipv4/conf/all/arp_announce'
                ip -n $rs addr add 192.0.2.11/32 dev lo
                ip -n $rs addr add 192.0.2.12/32 dev lo
                mkdir -p /tmp/$rs
                cat > /tmp/$rs/nginx.conf <<CONF
            daemon off; master_process off; worker_processes 1;
            pid /tmp/$rs/nginx.pid; error_log /tmp/$rs/error.log;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path /tmp/$rs/body; proxy_temp_path /tmp/$rs/proxy;
                fastcgi_temp_path /tmp/$rs/fastcgi; uwsgi_temp_path /tmp/$rs/uwsgi; scgi_temp_path /tmp/$rs/scgi;
                keepalive_timeout 600s; keepalive_requests 100000;
                server { listen 80; listen 443; default_type text/plain; location / { return 200 "$rs\\n"; } }
            }
            CONF
            done
            nginx_on() { ip netns exec "$1" nginx -p /tmp/$1 -c /tmp/$1/nginx.conf -e /tmp/$1/error.log & }
            nginx_on rs1; ng1=$!
            nginx_on rs2; ng2=$!

            # A keep-alive HTTP connection from .100 through VIP1: one request every 0.2 s, each
            # answer logged with the guest's uptime; 'lost' when the connection ends.
            keepalive() {
                ip netns exec client bash -c '
                    trap "" PIPE
                    exec 3<>/dev/tcp/192.0.2.11/80 || { echo "$(cut -d" " -f1 /proc/uptime) lost"; exit; }
                    for n in $(seq 1 3000); do
                        printf "GET / HTTP/1.1\\r\\nHost: vip\\r\\n\\r\\n" >&3 || { echo "$(cut -d" " -f1 /proc/uptime) write-failed"; exit; }
                        got=""
                        while IFS= read -r -t 30 line <&3; do case $line in rs*) got=$line; break;; esac; done
                        echo "$(cut -d" " -f1 /proc/uptime) ${got:-lost}"
                        [ -n "$got" ] || exit
                        sleep 0.2
                    done' > "$1" 2>&1 &
            }
            # New connections from .120 through VIP1, one every 0.25 s (1 s timeout each).
            probe() {
                ip netns exec client bash -c '
                    for n in $(seq 1 2400); do
                        got=$(curl -s --max-time 1 --interface 192.0.2.120 http://192.0.2.11/ || echo fail)
                        echo "$(cut -d" " -f1 /proc/uptime) ${got:-fail}"
                        sleep 0.25
                    done' > "$1" 2>&1 &
            }

            say "starting both directors with the post's files"
            ip netns exec dira @AGENT_A@ &
            a=$!
            ip netns exec dirb @AGENT_B@ &
            b=$!
            await a-holds-vip1 300 holds dira 192.0.2.11
            await b-holds-vip2 300 holds dirb 192.0.2.12
            for d in dira dirb; do
                for rs in 192.0.2.66 192.0.2.41; do
                    await $d-serves-$rs 180 serves $d 192.0.2.11:80 $rs
                done
            done
            ip netns exec dira ipvsadm -Sn | sort > table-a
            ip netns exec dirb ipvsadm -Sn | sort > table-b
            ip netns exec dira ipvsadm -L --daemon > daemons-nosync-a
            ip netns exec dirb ipvsadm -L --daemon > daemons-nosync-b

            # bench/vm-failover measures only the failovers
            if [ ! -e bench-only ]; then
                say "requests from eight addresses, captured on dira and on the client"
                ip netns exec dira tcpdump -Z root -i ens33 -n -w /tmp/dira.pcap 'tcp and host 192.0.2.11' 2> /tmp/td-a.err &
                tda=$!
                ip netns exec client tcpdump -Z root -i ens33 -n -w /tmp/client.pcap 'tcp and host 192.0.2.11' 2> /tmp/td-c.err &
                tdc=$!
                await tcpdump-a 60 listening /tmp/td-a.err
                await tcpdump-c 60 listening /tmp/td-c.err
                for i in 1 2 3 4 5 6 7 8; do
                    echo "192.0.2.10$i $(ip netns exec client curl -s --max-time 10 --interface 192.0.2.10$i http://192.0.2.11/ || echo fail)"
                done > wrr
                sleep 1
                kill $tda $tdc; wait $tda $tdc
                tcpdump -r /tmp/dira.pcap -n 'src host 192.0.2.11 and tcp src port 80' 2>/dev/null | wc -l > dira-replies
                tcpdump -r /tmp/dira.pcap -n 'dst host 192.0.2.11 and tcp dst port 80' 2>/dev/null | wc -l > dira-requests
                tcpdump -r /tmp/client.pcap -n -e 'src host 192.0.2.11 and tcp src port 80' 2>/dev/null \\
                    | awk '{print $2}' | sort | uniq -c > client-reply-macs

                say "rs2's nginx stops"
                kill $ng2; wait $ng2
                # each virtual server's checker drops it in its own time: wait for both
                await rs2-dropped 180 dropped dira 192.0.2.11:80 192.0.2.41
                await rs2-dropped-443 180 dropped dira 192.0.2.12:443 192.0.2.41
                ip netns exec dira ipvsadm -Sn | sort > table-a-rs2-down
                nginx_on rs2; ng2=$!
                await rs2-back 180 serves dira 192.0.2.11:80 192.0.2.41
                await rs2-back-443 180 serves dira 192.0.2.12:443 192.0.2.41
            fi

            say "failover without connection sync: dira's link fails"
            keepalive conn-nosync; ka=$!
            probe probe-nosync; pr=$!
            await conn-nosync-steady 60 answers conn-nosync 5
            uptime_s > kill-nosync
            ip -n dira link set ens33 down
            await b-takes-vip1 120 holds dirb 192.0.2.11
            await conn-nosync-ends 120 ended conn-nosync
            await probe-nosync-back 120 answered_after probe-nosync "$(cat kill-nosync)"
            kill $ka $pr 2>/dev/null; wait $ka $pr
            ip netns exec dirb ipvsadm -L --daemon > daemons-nosync-after-b

            say "both directors reload with lvs_sync_daemon; then dira's link comes back"
            cp lvs-master-sync.conf lvs-master.conf
            cp lvs-backup-sync.conf lvs-backup.conf
            kill -HUP $a $b
            reloaded() { grep -q "reload: now at revision" "$1"; }
            await a-reloaded 120 reloaded agent-a.log
            await b-master-daemon 120 daemon dirb master
            ip netns exec dira ipvsadm -L --daemon > daemons-reloaded-a
            ip netns exec dirb ipvsadm -L --daemon > daemons-reloaded-b
            ip -n dira link set ens33 up
            await a-takes-vip1-back 120 holds dira 192.0.2.11
            await b-gives-vip1-up 60 lacks dirb 192.0.2.11
            await a-master-daemon 60 daemon dira master
            await b-backup-daemon 60 daemon dirb backup
            ip netns exec dira ipvsadm -L --daemon > daemons-sync-a
            ip netns exec dirb ipvsadm -L --daemon > daemons-sync-b

            say "failover with connection sync"
            keepalive conn-sync; ka=$!
            probe probe-sync; pr=$!
            await conn-sync-steady 60 answers conn-sync 5
            synced() { ip netns exec dirb ipvsadm -Lnc | grep -q 'ESTABLISHED 192.0.2.100:'; }
            await conn-synced-to-b 60 synced
            ip netns exec dirb ipvsadm -Lnc > conns-b
            uptime_s > kill-sync
            kill -9 $a; ip -n dira link set ens33 down
            await b-takes-vip1-again 120 holds dirb 192.0.2.11
            await conn-sync-goes-on 120 answered_after conn-sync "$(cat kill-sync)"
            await probe-sync-back 120 answered_after probe-sync "$(cat kill-sync)"
            await b-master-daemon-again 60 daemon dirb master
            ip netns exec dirb ipvsadm -L --daemon > daemons-after-b
            kill $ka $pr 2>/dev/null; wait $ka $pr

            kill -TERM $b; wait $b
            echo "agent b exited with $?"
            ip netns exec dirb ipvsadm -L --daemon > daemons-stopped-b
            kill $ng1 $ng2; wait $ng1 $ng2
            say done
            """;

    /// What a run of the script left, read from its files.
    public record Evidence(Map<String, String> files) {

        public String file(String name) {
            return files.getOrDefault(name, "");
        }

        /// The guest's uptime at the kill of the `phase` (`nosync` or `sync`).
        public double killedAt(String phase) {
            return Double.parseDouble(file("kill-" + phase).strip());
        }

        /// The log lines of `log` (`conn-sync`, `probe-nosync`, …): uptime and answer.
        public List<Answer> answers(String log) {
            var out = new ArrayList<Answer>();
            for (var line : file(log).lines().toList()) {
                var parts = line.strip().split("\\s+", 2);
                if (parts.length == 2 && parts[0].matches("[0-9.]+")) {
                    out.add(new Answer(Double.parseDouble(parts[0]), parts[1]));
                }
            }
            return out;
        }

        /// The longest wait between two answers in `log` that the failover of `phase` caused:
        /// the longest interval between consecutive answers whose later one came after the kill,
        /// in seconds; empty when none came after it. (Not simply "first answer after the kill":
        /// a request in flight at the kill is still answered by the old master.)
        public OptionalDouble gap(String log, String phase) {
            double kill = killedAt(phase);
            var answered = answers(log).stream().filter(Answer::served).mapToDouble(Answer::at).toArray();
            var longest = OptionalDouble.empty();
            for (int i = 1; i < answered.length; i++) {
                if (answered[i] > kill) {
                    double wait = answered[i] - answered[i - 1];
                    if (longest.isEmpty() || wait > longest.getAsDouble()) {
                        longest = OptionalDouble.of(wait);
                    }
                }
            }
            return longest;
        }
    }

    /// How much faster than the host's the guest's clock ran: its uptime at the script's end over
    /// the host's time from QEMU's start to its exit (at most 1 when the clock is right). Under
    /// heavy host load the guest kernel's TSC calibration at boot has come out several times too
    /// low, so that its clock, and every deadline in the script, ran that much fast.
    public static double clockRatio(String output, Duration hostElapsed) {
        var m = Pattern.compile("\\[([0-9.]+)\\] done").matcher(output);
        if (!m.find() || hostElapsed.isZero()) {
            return Double.NaN;
        }
        return Double.parseDouble(m.group(1)) / (hostElapsed.toMillis() / 1000.0);
    }

    /// One line of a client log.
    public record Answer(double at, String text) {
        public boolean served() {
            return text.startsWith("rs");
        }
    }
}
