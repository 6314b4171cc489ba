package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Keepalived;
import dev.pharos.testing.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/// Each keyword rule of [KeywordRulesTest] held against real keepalived 2.2.7: `keepalived -t`
/// runs on the same text in a namespace with an `eth0`, and the lines it complains about must be
/// the lines Pharos reports. Where keepalived silently reads something other than the words
/// suggest (`nopreempt 0`), Pharos warns and keepalived says nothing: those lines are named.
class KeywordRulesKeepalivedTest {

    /// keepalived's `(FILE: Line N) message` prefix (without the file in global_defs).
    private static final Pattern LINE = Pattern.compile("^\\((?:[^:)]+: )?Line (\\d+)\\) ");

    private static Netns net;
    private static Netns.Host host;

    @BeforeAll
    static void namespace() {
        assumeTrue(Netns.available() && Keepalived.installed(), "needs root, iproute2 and keepalived");
        net = Netns.create();
        host = net.host("kw");
    }

    @AfterAll
    static void cleanUp() {
        if (net != null) {
            net.close();
        }
    }

    /// @param pharosOnly     lines where keepalived reads silently what Pharos warns about
    /// @param keepalivedOnly lines where keepalived reports a consequence of an error Pharos
    ///                       reports at its cause (an emptied block, at its closing brace)
    record Case(String name, String text, Set<Integer> pharosOnly, Set<Integer> keepalivedOnly) {

        Case(String name, String text, Set<Integer> pharosOnly) {
            this(name, text, pharosOnly, Set.of());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final String INSTANCE = "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 1\n";
    private static final String VIPS = "    virtual_ipaddress {\n        192.0.2.1/24\n    }\n}\n";
    private static final String SERVICE = "virtual_server 192.0.2.10 80 {\n    lb_algo rr\n    lb_kind NAT\n"
            + "    protocol TCP\n";

    static Stream<Case> cases() {
        return Stream.of(
                new Case("flag words the handler ignores", INSTANCE
                        + "    nopreempt 0\n    dont_track_primary no\n    accept off\n    preempt yes\n" + VIPS,
                        Set.of(4, 5, 6, 7)),
                new Case("smtp_alert takes only check_true_false's words", INSTANCE + "    smtp_alert 1\n" + VIPS,
                        Set.of()),
                new Case("smtp_alert words are case-sensitive", INSTANCE + "    smtp_alert YES\n" + VIPS, Set.of()),
                new Case("virtual_server flags ignore their word, real_server ones read it", SERVICE
                        + "    alpha off\n    omega no\n    inhibit_on_failure false\n    ha_suspend 0\n"
                        + "    real_server 192.0.2.20 80 {\n        inhibit_on_failure off\n        alpha 1\n"
                        + "    }\n}\n", Set.of(5, 6, 7, 8)),
                new Case("kept flag keywords: ignored words and check_true_false words", INSTANCE
                        + "    promote_secondaries off\n    strict_mode 1\n" + VIPS, Set.of(4)),
                new Case("kept virtual_server and real_server flags", SERVICE + "    ops no\n    smtp_alert 1\n"
                        + "    real_server 192.0.2.20 80 {\n        smtp_alert 0\n    }\n}\n", Set.of(5)),
                new Case("scheduler flags need sh or mh, chosen above them", SERVICE + "    sh-port\n"
                        + "    real_server 192.0.2.20 80 {\n    }\n}\n"
                        + "virtual_server 192.0.2.11 80 {\n    sh-fallback\n    lb_algo sh\n    lb_kind NAT\n"
                        + "    protocol TCP\n    mh-port\n    real_server 192.0.2.21 80 {\n    }\n}\n", Set.of()),
                new Case("global_defs flags", "global_defs {\n    lvs_flush no\n    vrrp_min_garp 1\n}\n",
                        Set.of(2)),
                new Case("track weights stop at 253", INSTANCE + "    track_interface {\n        eth0 weight 254\n"
                        + "        eth0 weight -20 noreverse\n    }\n" + VIPS, Set.of()),
                new Case("a script tracked twice counts once", "vrrp_script chk {\n    script /bin/true\n}\n"
                        + INSTANCE + "    track_script {\n        chk\n    }\n    track_script {\n        chk\n"
                        + "    }\n" + VIPS, Set.of()),
                new Case("words after a single value are ignored", "global_defs {\n    router_id a b\n}\n" + INSTANCE
                        + "    priority 100 200\n    advert_int 1 x\n" + VIPS, Set.of(2, 7, 8)),
                new Case("a FILE_CHECK's track_file is resolved while reading", SERVICE
                        + "    real_server 192.0.2.20 80 {\n        FILE_CHECK {\n            track_file f1\n"
                        + "        }\n    }\n}\ntrack_file f1 {\n    file /tmp/f1\n}\n", Set.of(), Set.of(8)),
                new Case("protocol is read without regard to case", "virtual_server 192.0.2.10 80 {\n"
                        + "    lb_algo rr\n    lb_kind NAT\n    protocol tcp\n    real_server 192.0.2.20 80 {\n    }\n}\n",
                        Set.of()),
                new Case("the words after lb_kind are tunnel options", SERVICE.replace("lb_kind NAT", "lb_kind DR TUN")
                        + "    real_server 192.0.2.20 80 {\n    }\n}\n", Set.of()),
                new Case("vrrp_script weight takes only reverse after it", "vrrp_script chk {\n    script /bin/true\n"
                        + "    weight 10 bogus\n}\n", Set.of()),
                new Case("an interface name of 16 characters is too long", "vrrp_instance VI_1 {\n"
                        + "    interface abcdefghijklmnop\n    interface eth0\n    virtual_router_id 1\n" + VIPS,
                        Set.of(3)),
                new Case("a virtual_server_group entry may leave its port out", "virtual_server_group G {\n"
                        + "    192.0.2.10\n    192.0.2.20-30\n}\nvirtual_server group G {\n    lb_algo rr\n"
                        + "    lb_kind NAT\n    protocol TCP\n    persistence_timeout 60\n"
                        + "    real_server 192.0.2.40 {\n    }\n}\n", Set.of()),
                new Case("last virtual_router_id and priority win, silently", INSTANCE
                        + "    virtual_router_id 2\n    priority 50\n    priority 60\n" + VIPS, Set.of(4, 6)),
                new Case("a second notify_master is ignored", INSTANCE
                        + "    notify_master /bin/true\n    notify_master /bin/false\n" + VIPS, Set.of()),
                new Case("MASTER stays MASTER", INSTANCE + "    state MASTER\n    state BACKUP\n" + VIPS, Set.of()),
                new Case("garp_master_delay is whole seconds, repeat at least 1", INSTANCE
                        + "    garp_master_delay 0.5\n    garp_master_repeat 0\n" + VIPS, Set.of()),
                new Case("vrrp_script interval is whole seconds", "vrrp_script chk {\n    script /bin/true\n"
                        + "    interval 0.5\n}\n", Set.of()),
                new Case("persistence_timeout without a value, IPv6 granularity as a prefix length",
                        "virtual_server 2001:db8::10 80 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n"
                        + "    persistence_timeout\n    persistence_granularity 64\n"
                        + "    real_server 2001:db8::20 80 {\n    }\n}\n", Set.of()),
                new Case("persistence_timeout is whole seconds", SERVICE + "    persistence_timeout 0.5\n"
                        + "    real_server 192.0.2.20 80 {\n    }\n}\n", Set.of()),
                new Case("misplaced keywords in real_server and checkers", SERVICE
                        + "    real_server 192.0.2.20 80 {\n        lb_kind NAT\n        retry 0\n"
                        + "        MISC_CHECK {\n            misc_path /bin/true\n            connect_timeout 3\n"
                        + "        }\n        TCP_CHECK {\n            nb_get_retry 3\n        }\n"
                        + "        HTTP_GET {\n            nb_get_retry 3\n            url {\n"
                        + "                path /\n            }\n        }\n    }\n}\n", Set.of()),
                new Case("track_script and track_process are resolved while reading", INSTANCE
                        + "    track_script {\n        late\n    }\n    track_process {\n        proc_late\n    }\n"
                        + VIPS + "vrrp_script late {\n    script /bin/true\n}\n"
                        + "vrrp_track_process proc_late {\n    process sshd\n}\n", Set.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepalivedComplainsAboutTheLinesPharosReports(Case c, @TempDir Path dir) throws IOException {
        var file = dir.resolve("k.conf");
        Files.writeString(file, c.text());
        var result = host.exec("/usr/sbin/keepalived", "--config-test", "-l", "-D", "-f", file.toString());
        var keepalived = new TreeSet<Integer>();
        result.output().lines().map(LINE::matcher).filter(m -> m.find())
                .forEach(m -> keepalived.add(Integer.parseInt(m.group(1))));
        var pharos = pharosLines(file, c.text());
        var expected = new TreeSet<>(pharos);
        expected.removeAll(c.pharosOnly());
        expected.addAll(c.keepalivedOnly());
        assertThat(pharos).as("Pharos reports the lines named as silent in keepalived").containsAll(c.pharosOnly());
        assertThat(keepalived).as("keepalived -t said:%n%s%nPharos said:%n%s", result.output(),
                String.join("\n", diagnostics(file, c.text()))).isEqualTo(expected);
    }

    /// Lines of Pharos's diagnostics about the text, leaving out those about Pharos itself (a
    /// keyword it keeps without acting on), which keepalived has no counterpart for.
    private static Set<Integer> pharosLines(Path file, String text) {
        var lines = new TreeSet<Integer>();
        for (var d : diagnostics(file, text)) {
            var m = Pattern.compile("^[^:]+:(\\d+):\\d+: ").matcher(d);
            if (m.find() && !d.contains("Pharos does not implement") && !d.contains("has no effect")) {
                lines.add(Integer.parseInt(m.group(1)));
            }
        }
        return lines;
    }

    private static List<String> diagnostics(Path file, String text) {
        try {
            return ConfigLoader.parse(file, text, "").warnings().stream().map(Diagnostic::toString).toList();
        } catch (ConfigException e) {
            return e.diagnostics().stream().map(Diagnostic::toString).toList();
        }
    }
}
