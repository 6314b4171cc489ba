package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/// keepalived 2.2.7's keyword-level rules, one test per rule, each with the exact `file:line:col`
/// and message (docs/configuration.md, "Keyword rules, from keepalived's source", names the
/// handler each comes from; [KeywordRulesKeepalivedTest] runs the same cases through keepalived).
class KeywordRulesTest {

    private static List<String> diagnostics(String text) {
        try {
            return ConfigLoader.parse(Path.of("t.conf"), text, "").warnings().stream().map(Diagnostic::toString).toList();
        } catch (ConfigException e) {
            return e.diagnostics().stream().map(Diagnostic::toString).toList();
        }
    }

    private static LoadedConfig load(String text) throws ConfigException {
        return ConfigLoader.parse(Path.of("t.conf"), text, "");
    }

    private static String instance(String body) {
        return "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 1\n" + body + "}\n";
    }

    private static String service(String body) {
        return "virtual_server 192.0.2.10 80 {\n    lb_algo rr\n    protocol TCP\n" + body + "}\n";
    }

    // 1. Flag keywords followed by a word

    @Test
    void aWordAfterAFlagThatReadsNoneIsIgnoredAndWarnedAbout() throws ConfigException {
        var text = instance("    nopreempt 0\n    dont_track_primary no\n    accept now\n");
        var i = load(text).config().vrrpInstances().getFirst();
        assertThat(i.nopreempt()).isTrue();
        assertThat(i.dontTrackPrimary()).isTrue();
        assertThat(i.accept()).isTrue();
        assertThat(diagnostics(text)).containsExactly(
                "t.conf:4:15: warning: nopreempt takes no value: keepalived ignores '0', so 'nopreempt 0' still turns"
                        + " nopreempt on, and so does Pharos; remove the line to leave it off",
                "t.conf:5:24: warning: dont_track_primary takes no value: keepalived ignores 'no', so"
                        + " 'dont_track_primary no' still turns dont_track_primary on, and so does Pharos; remove the"
                        + " line to leave it off",
                "t.conf:6:12: warning: accept takes no value: keepalived ignores 'now', and so does Pharos");
    }

    @Test
    void virtualServerFlagsIgnoreTheirWord() throws ConfigException {
        var vs = load(service("    alpha off\n    omega no\n    inhibit_on_failure false\n    ha_suspend 0\n"
                + "    real_server 192.0.2.20 80 {\n    }\n")).config().virtualServers().getFirst();
        assertThat(vs.alpha()).isTrue();
        assertThat(vs.omega()).isTrue();
        assertThat(vs.inhibitOnFailure()).isTrue();
        assertThat(vs.haSuspend()).isTrue();
    }

    @Test
    void realServerAndCheckerFlagsReadOnOffWords() throws ConfigException {
        var vs = load(service("    real_server 192.0.2.20 80 {\n        inhibit_on_failure off\n        alpha no\n"
                + "        TCP_CHECK {\n            alpha false\n            log_all_failures yes\n        }\n"
                + "    }\n")).config().virtualServers().getFirst();
        var rs = vs.realServers().getFirst();
        assertThat(rs.inhibitOnFailure()).isFalse();
        assertThat(rs.alpha()).isFalse();
        var common = ((CheckerDef.Tcp) rs.checkers().getFirst()).common();
        assertThat(common.alpha()).isFalse();
        assertThat(common.logAllFailures()).isTrue();
    }

    @Test
    void onOffWordsAreOnlyCheckTrueFalsesAndCaseSensitive() {
        assertThat(diagnostics(instance("    smtp_alert 1\n"))).contains("t.conf:4:16: error: smtp_alert takes true,"
                + " on, yes, false, off or no (or nothing, meaning on), not '1'; keepalived refuses the line");
        assertThat(diagnostics(service("    real_server 192.0.2.20 80 {\n        alpha YES\n    }\n")))
                .contains("t.conf:5:15: error: alpha takes true, on, yes, false, off or no (or nothing, meaning on),"
                        + " not 'YES'; keepalived refuses the line");
    }

    @Test
    void keptFlagKeywordsHaveTheirWordCheckedToo() {
        assertThat(diagnostics(instance("    promote_secondaries off\n    strict_mode 1\n"))).contains(
                "t.conf:4:25: warning: promote_secondaries takes no value: keepalived ignores 'off', so"
                        + " 'promote_secondaries off' still turns promote_secondaries on, and so does Pharos; remove"
                        + " the line to leave it off",
                "t.conf:5:17: error: strict_mode takes true, on, yes, false, off or no (or nothing, meaning on), not"
                        + " '1'; keepalived refuses the line");
        assertThat(diagnostics(service("    smtp_alert on\n    ops no\n    real_server 192.0.2.20 80 {\n"
                + "        smtp_alert 0\n    }\n"))).contains(
                "t.conf:5:9: warning: ops takes no value: keepalived ignores 'no', so 'ops no' still turns"
                        + " ops on, and so does Pharos; remove the line to leave it off",
                "t.conf:7:20: error: smtp_alert takes true, on, yes, false, off or no (or nothing, meaning on), not"
                        + " '0'; keepalived refuses the line");
    }

    @Test
    void everyFlagListNamesKeywordsOfItsBlock() {
        assertThat(Keywords.GLOBAL_DEFS).containsAll(Keywords.GLOBAL_DEFS_FLAGS).containsAll(Keywords.GLOBAL_DEFS_ON_OFF);
        assertThat(Keywords.VRRP_INSTANCE).containsAll(Keywords.VRRP_INSTANCE_FLAGS)
                .containsAll(Keywords.VRRP_INSTANCE_ON_OFF);
        assertThat(Keywords.SYNC_GROUP).containsAll(Keywords.SYNC_GROUP_FLAGS).containsAll(Keywords.SYNC_GROUP_ON_OFF);
        assertThat(Keywords.VRRP_SCRIPT).containsAll(Keywords.VRRP_SCRIPT_FLAGS);
        assertThat(Keywords.VIRTUAL_SERVER).containsAll(Keywords.VIRTUAL_SERVER_FLAGS)
                .containsAll(Keywords.VIRTUAL_SERVER_ON_OFF);
        assertThat(Keywords.REAL_SERVER).containsAll(Keywords.REAL_SERVER_ON_OFF);
        assertThat(Keywords.CHECKER_COMMON).containsAll(Keywords.CHECKER_ON_OFF);
        assertThat(Keywords.HTTP_CHECKER).containsAll(Keywords.HTTP_CHECKER_ON_OFF);
        assertThat(Keywords.URL).containsAll(Keywords.URL_FLAGS);
        assertThat(Keywords.MISC_CHECKER).containsAll(Keywords.MISC_CHECKER_FLAGS);
    }

    @Test
    void schedulerFlagsNeedShOrMhChosenAboveThem() {
        assertThat(diagnostics(service("    sh-port\n    real_server 192.0.2.20 80 {\n    }\n"))).contains(
                "t.conf:4:5: error: sh-port applies to the sh and mh schedulers only: keepalived reports it with"
                        + " lb_algo rr and ignores it");
        assertThat(diagnostics("virtual_server 192.0.2.10 80 {\n    protocol TCP\n    hashed\n    lb_algo sh\n"
                + "    real_server 192.0.2.20 80 {\n    }\n}\n")).contains("t.conf:3:5: error: hashed applies to the"
                + " sh and mh schedulers only: keepalived reports it before any lb_algo (write lb_algo first) and"
                + " ignores it");
    }

    @Test
    void wordsAfterASingleValueAreIgnored() throws ConfigException {
        var text = instance("    priority 100 200 300\n");
        assertThat(load(text).config().vrrpInstances().getFirst().priority()).isEqualTo(100);
        assertThat(diagnostics(text)).containsExactly("t.conf:4:18: warning: priority takes one value: keepalived"
                + " reads 100 and ignores '200' and what follows, and so does Pharos");
    }

    // 3. Duplicates and misplaced keywords

    @Test
    void aRepeatedValueKeywordTakesTheLastOneAtItsOwnLine() throws ConfigException {
        var text = instance("    virtual_router_id 2\n");
        assertThat(load(text).config().vrrpInstances().getFirst().virtualRouterId()).isEqualTo(2);
        assertThat(diagnostics(text)).containsExactly("t.conf:4:5: warning: virtual_router_id is given again in"
                + " vrrp_instance VI_1 (first at line 3); the last one wins");
    }

    @Test
    void aRepeatedNotifyScriptKeepsTheFirst() throws ConfigException {
        var text = instance("    notify_master /bin/true\n    notify_master /bin/false\n");
        assertThat(load(text).config().vrrpInstances().getFirst().notifyMaster()).isEqualTo("/bin/true");
        assertThat(diagnostics(text)).containsExactly("t.conf:5:5: warning: notify_master is given again in"
                + " vrrp_instance VI_1 (first at line 4); keepalived keeps the first one and ignores this one, and so"
                + " does Pharos");
    }

    @Test
    void aRepeatedQuorumUpAndNotifyUpKeepTheFirst() throws ConfigException {
        var vs = load(service("    quorum_up /bin/true\n    quorum_up /bin/false\n"
                + "    real_server 192.0.2.20 80 {\n        notify_up /bin/true\n        notify_up /bin/false\n"
                + "    }\n")).config().virtualServers().getFirst();
        assertThat(vs.quorumUp()).isEqualTo("/bin/true");
        assertThat(vs.realServers().getFirst().notifyUp()).isEqualTo("/bin/true");
    }

    @Test
    void masterStaysMaster() throws ConfigException {
        var text = instance("    state MASTER\n    state BACKUP\n");
        assertThat(load(text).config().vrrpInstances().getFirst().state()).isEqualTo(VrrpInstanceDef.State.MASTER);
        assertThat(diagnostics(text)).containsExactly("t.conf:5:11: warning: state MASTER was given before in"
                + " vrrp_instance VI_1; keepalived keeps MASTER and ignores this BACKUP, and so does Pharos");
    }

    @Test
    void nbGetRetryBelongsToHttpGetAndSslGetOnly() throws ConfigException {
        assertThat(diagnostics(service("    real_server 192.0.2.20 80 {\n        TCP_CHECK {\n"
                + "            nb_get_retry 3\n        }\n    }\n"))).containsExactly("t.conf:6:13: error:"
                + " 'nb_get_retry' is not a keyword of TCP_CHECK in keepalived 2.2.7: it belongs to HTTP_GET and"
                + " SSL_GET only (and is deprecated there): write retry");
        var text = service("    real_server 192.0.2.20 80 {\n        HTTP_GET {\n            nb_get_retry 3\n"
                + "            url {\n                path /\n            }\n        }\n    }\n");
        var http = load(text).config().virtualServers().getFirst().realServers().getFirst().checkers().getFirst();
        assertThat(http.common().retry()).isEqualTo(3);
        assertThat(diagnostics(text)).containsExactly("t.conf:6:13: warning: nb_get_retry is deprecated:"
                + " keepalived reads it as retry but reports it as a configuration error; write retry");
    }

    @Test
    void aSecondGlobalDefsGoesOnWhereTheFirstLeftOff() throws ConfigException {
        var g = load("global_defs {\n    router_id a\n    notification_email {\n        ops@example.org\n    }\n}\n"
                + "global_defs {\n    router_id b\n    vrrp_version 3\n}\n").config().globalDefs();
        assertThat(g.routerId()).isEqualTo("b");
        assertThat(g.notificationEmail()).containsExactly("ops@example.org");
        assertThat(g.vrrpVersion()).isEqualTo(3);
    }

    @Test
    void misplacedKeywordsNameWhereTheyBelong() {
        assertThat(diagnostics(service("    real_server 192.0.2.20 80 {\n        lb_kind NAT\n        MISC_CHECK {\n"
                + "            misc_path /bin/true\n            connect_port 80\n        }\n    }\n")))
                .containsExactly(
                        "t.conf:5:9: error: 'lb_kind' is not a keyword of real_server 192.0.2.20 80 in keepalived"
                                + " 2.2.7: a real server's forwarding method is lvs_method (keepalived rejects lb_kind"
                                + " here)",
                        "t.conf:8:13: error: 'connect_port' is not a keyword of MISC_CHECK in keepalived 2.2.7: a"
                                + " MISC_CHECK runs a script and makes no connection of its own");
    }

    // 5. Each error points at the token at fault

    @Test
    void aVridConflictPointsAtTheSecondInstancesVirtualRouterIdLine() {
        var text = instance("") + "vrrp_instance VI_2 {\n    interface eth0\n    priority 50\n"
                + "    virtual_router_id 1\n}\n";
        assertThat(diagnostics(text)).containsExactly("t.conf:8:5: error: vrrp_instance VI_2: virtual_router_id 1 is"
                + " already used by VI_1 on eth0 (IPv4); each VRID must be unique per interface");
    }

    @Test
    void authenticationWithVersion3PointsAtTheAuthenticationBlock() {
        var text = instance("    version 3\n    authentication {\n        auth_type PASS\n        auth_pass x\n    }\n");
        assertThat(diagnostics(text)).containsExactly("t.conf:5:5: error: vrrp_instance VI_1: VRRPv3 has no"
                + " authentication; remove the authentication block");
    }

    // 2. Value forms and ranges

    @Test
    void persistenceTimeoutLeftOutIsKeepalivedsDefault() throws ConfigException {
        var vs = load(service("    persistence_timeout\n    real_server 192.0.2.20 80 {\n    }\n"))
                .config().virtualServers().getFirst();
        assertThat(vs.persistenceTimeout()).isEqualTo(Duration.ofSeconds(360));
    }

    @Test
    void persistenceTimeoutIsWholeSeconds() {
        assertThat(diagnostics(service("    persistence_timeout 0.5\n"))).containsExactly("t.conf:4:25: error:"
                + " persistence_timeout takes whole seconds, not '0.5' (keepalived 2.2.7 reads no decimals here)");
        assertThat(diagnostics(service("    persistence_timeout 0\n")))
                .containsExactly("t.conf:4:25: error: persistence_timeout 0 is outside 1–2678400");
    }

    @Test
    void persistenceGranularityOfAnIpv6ServiceIsAPrefixLength() throws Exception {
        var text = "virtual_server 2001:db8::10 80 {\n    lb_algo rr\n    protocol TCP\n"
                + "    persistence_granularity 64\n    real_server 2001:db8::20 80 {\n    }\n}\n";
        var vs = load(text).config().virtualServers().getFirst();
        assertThat(vs.persistenceGranularity()).isEqualTo(InetAddress.getByName("ffff:ffff:ffff:ffff::"));
        assertThat(vs.persistenceTimeout()).as("a granularity turns persistence on").isEqualTo(Duration.ofSeconds(360));
        assertThat(diagnostics(text.replace(" 64", " 129"))).containsExactly("t.conf:4:29: error:"
                + " persistence_granularity (an IPv6 prefix length) 129 is outside 1–128");
    }

    @Test
    void persistenceGranularityOfAnIpv4ServiceIsANetmask() {
        assertThat(diagnostics(service("    persistence_granularity 24\n"))).containsExactly("t.conf:4:29: error:"
                + " persistence_granularity of an IPv4 service must be a netmask such as 255.255.255.0, not '24'");
    }

    @Test
    void aVirtualServerAndASorryServerMayLeaveTheirPortOut() throws ConfigException {
        var vs = load("virtual_server 192.0.2.10 {\n    protocol TCP\n    persistence_timeout 60\n"
                + "    sorry_server 192.0.2.30\n    real_server 192.0.2.20 {\n    }\n}\n").config().virtualServers()
                .getFirst();
        assertThat(vs.key()).isEqualTo(new VirtualServerDef.Key.Address(InetAddress.ofLiteral("192.0.2.10"), 0));
        assertThat(vs.sorryServer().port()).isZero();
    }

    @Test
    void garpTimesAreWholeSecondsAndRepeatsAtLeastOne() {
        assertThat(diagnostics(instance("    garp_master_delay 0.5\n    garp_master_repeat 0\n"))).containsExactly(
                "t.conf:4:23: error: garp_master_delay takes whole seconds, not '0.5' (keepalived 2.2.7 reads no"
                        + " decimals here)",
                "t.conf:5:24: error: garp_master_repeat 0 is outside 1–2147483647");
    }

    @Test
    void vrrpScriptIntervalIsWholeSeconds() {
        assertThat(diagnostics("vrrp_script chk {\n    script /bin/true\n    interval 0.5\n}\n")).containsExactly(
                "t.conf:3:14: error: interval takes whole seconds, not '0.5' (keepalived 2.2.7 reads no decimals here)");
    }

    @Test
    void trackWeightsStopAt253() {
        assertThat(diagnostics(instance("    track_interface {\n        eth1 weight 254\n        eth2 weight -20 reverse\n"
                + "        eth1 weight 10\n    }\n"))).containsExactly(
                "t.conf:5:21: error: weight 254 is outside -253–253 (keepalived reports it and uses 253)",
                "t.conf:7:9: warning: track_interface eth1 is given again in vrrp_instance VI_1; keepalived keeps"
                        + " the first one and ignores this one, and so does Pharos");
    }

    @Test
    void aModelFromJsonWithAFractionWhereKeepalivedReadsWholeSecondsIsRefused() {
        var config = new KeepalivedConfig(GlobalDefs.EMPTY, List.of(new VrrpScriptDef("chk", "/bin/true",
                Duration.ofMillis(500), null, null, null, null, null, null)), List.of(), List.of(), List.of(), List.of(),
                List.of());
        assertThat(ConfigLoader.validate(config)).extracting(Diagnostic::toString).containsExactly(
                "config: error: vrrp_script chk: interval 0.5 s must be whole seconds: keepalived reads no decimals there");
    }

    @Test
    void retryOfAServerIsAtLeastOneButACheckersMayBeZero() throws ConfigException {
        assertThat(diagnostics(service("    real_server 192.0.2.20 80 {\n        retry 0\n    }\n")))
                .containsExactly("t.conf:5:15: error: retry 0 is outside 1–2147483647");
        load(service("    real_server 192.0.2.20 80 {\n        TCP_CHECK {\n            retry 0\n        }\n    }\n"));
    }

    // 4. Blocks Pharos does not implement: references resolved in keepalived's order

    @Test
    void aTrackedScriptDefinedBelowTheInstanceIsNotFound() {
        var text = instance("    track_script {\n        late\n    }\n") + "vrrp_script late {\n    script /bin/true\n}\n";
        assertThat(diagnostics(text)).containsExactly("t.conf:5:9: error: vrrp_instance VI_1: track_script late refers"
                + " to the vrrp_script late defined below, at line 8; keepalived looks the name up while reading and"
                + " reports it not found: move vrrp_script late above vrrp_instance VI_1");
    }

    @Test
    void trackProcessNamesADefinitionAboveIt() throws ConfigException {
        var process = "vrrp_track_process sshd_up {\n    process sshd\n}\n";
        var use = instance("    track_process {\n        sshd_up\n    }\n");
        var loaded = load(process + use);
        assertThat(loaded.config().extras()).extracting(Extra::keyword).containsExactly("vrrp_track_process");
        assertThat(loaded.config().vrrpInstances().getFirst().extras()).extracting(Extra::keyword)
                .containsExactly("track_process");
        assertThat(diagnostics(use + process)).contains("t.conf:5:9: error: vrrp_instance VI_1: track_process sshd_up"
                + " refers to the vrrp_track_process sshd_up defined below, at line 8; keepalived looks the name up"
                + " while reading and reports it not found: move vrrp_track_process sshd_up above vrrp_instance VI_1");
        assertThat(diagnostics(use)).contains("t.conf:5:9: error: vrrp_instance VI_1: track_process sshd_up: no"
                + " vrrp_track_process sshd_up is defined (keepalived reports it not found and ignores the line)");
    }

    @Test
    void trackFileAcceptsEitherDefiningKeyword() throws ConfigException {
        load("vrrp_track_file f1 {\n    file /tmp/f1\n}\ntrack_file f2 {\n    file /tmp/f2\n}\n"
                + instance("    track_file {\n        f1\n        f2\n    }\n"));
    }

    @Test
    void aFileCheckNamesATrackFileAboveIt() {
        var text = service("    real_server 192.0.2.20 80 {\n        FILE_CHECK {\n            track_file f1\n"
                + "        }\n    }\n") + "track_file f1 {\n    file /tmp/f1\n}\n";
        assertThat(diagnostics(text)).contains("t.conf:6:24: error: real_server 192.0.2.20 80: FILE_CHECK: track_file f1"
                + " refers to the track_file f1 defined below, at line 10; keepalived looks the name up while reading"
                + " and reports it not found: move track_file f1 above real_server 192.0.2.20 80: FILE_CHECK");
    }

    @Test
    void protocolIsReadWithoutRegardToCase() throws ConfigException {
        var vs = load("virtual_server 192.0.2.10 80 {\n    protocol tcp\n}\n").config().virtualServers().getFirst();
        assertThat(vs.protocol()).isEqualTo(VirtualServerDef.Protocol.TCP);
    }

    @Test
    void tunnelOptionsAfterTunAreRefused() {
        assertThat(diagnostics(service("    lb_kind TUN type gue port 6080\n"))).containsExactly("t.conf:4:17: error:"
                + " lb_kind TUN: keepalived reads 'type' … as tunnel options, which Pharos does not support (it runs"
                + " IPIP tunnels only)");
        assertThat(diagnostics(service("    lb_kind DR TUN\n"))).containsExactly("t.conf:4:16: error: lb_kind DR:"
                + " keepalived reads 'TUN' … as tunnel options, which Pharos does not support (it runs IPIP tunnels"
                + " only)");
    }

    @Test
    void vrrpScriptWeightTakesOnlyReverseAfterIt() {
        assertThat(diagnostics("vrrp_script chk {\n    script /bin/true\n    weight 10 bogus\n}\n")).containsExactly(
                "t.conf:3:15: error: unknown weight option 'bogus': after the weight keepalived reads only reverse");
    }

    @Test
    void anInterfaceNameOf16CharactersIsTooLong() {
        assertThat(diagnostics(instance("    interface abcdefghijklmnop\n"))).containsExactly(
                "t.conf:4:5: warning: interface is given again in vrrp_instance VI_1 (first at line 2); the last one wins",
                "t.conf:4:15: error: interface name 'abcdefghijklmnop' is too long: Linux names have at most 15"
                        + " characters");
    }

    @Test
    void aVirtualServerGroupEntryMayLeaveItsPortOut() throws ConfigException {
        var g = load("virtual_server_group G {\n    192.0.2.10\n    192.0.2.20-30\n}\n").config().virtualServerGroups()
                .getFirst();
        assertThat(g.members()).containsExactly(
                new VirtualServerGroupDef.Member.Address(InetAddress.ofLiteral("192.0.2.10"), 0),
                new VirtualServerGroupDef.Member.Range(InetAddress.ofLiteral("192.0.2.20"), 30, 0));
    }

    @Test
    void aGroupFwmarksAddressFamilyIsNotReadYet() {
        assertThat(diagnostics("virtual_server_group G {\n    fwmark 7 inet6\n}\n")).containsExactly("t.conf:2:14: error:"
                + " virtual_server_group G: the address family after fwmark ('inet6') is not read by Pharos yet");
    }
}

