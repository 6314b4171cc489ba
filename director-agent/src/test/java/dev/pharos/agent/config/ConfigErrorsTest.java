package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/// One test per way a configuration can be wrong: each names `file:line:col` and says what was expected.
class ConfigErrorsTest {

    private static List<String> errors(String text) {
        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(Path.of("t.conf"), text));
        assertThat(e).as("the configuration must be refused").isNotNull();
        return e.errors().stream().map(Diagnostic::toString).toList();
    }

    private static String instance(String body) {
        return "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 1\n" + body + "}\n";
    }

    @Test
    void unbalancedClosingBrace() {
        assertThat(errors("global_defs {\n}\n}\n")).containsExactly("t.conf:3:1: error: unexpected '}': no block is open here");
    }

    @Test
    void blockNeverClosed() {
        assertThat(errors("vrrp_instance VI_1 {\n    interface eth0\n"))
                .contains("t.conf:1:1: error: block 'vrrp_instance' opened here is never closed: a '}' is missing");
    }

    @Test
    void braceWithoutKeyword() {
        assertThat(errors("{\n}\n")).containsExactly("t.conf:1:1: error: unexpected '{': a block must follow a keyword");
    }

    @Test
    void unterminatedQuote() {
        assertThat(errors("global_defs {\n    router_id \"abc\n}\n"))
                .containsExactly("t.conf:2:15: error: unterminated quoted string: add the closing \" on the same line");
    }

    @Test
    void unknownKeywordWithSuggestion() {
        assertThat(errors(instance("    priorty 100\n")))
                .containsExactly("t.conf:4:5: error: unknown keyword 'priorty' in vrrp_instance VI_1; did you mean 'priority'?");
    }

    @Test
    void unknownTopLevelKeyword() {
        assertThat(errors("frobnicate yes\n")).containsExactly("t.conf:1:1: error: unknown keyword 'frobnicate' in the top level");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "    priority 400|t.conf:4:14: error: priority 400 is outside 1–255",
            "    priority 0|t.conf:4:14: error: priority 0 is outside 1–255",
            "    priority high|t.conf:4:14: error: priority must be a whole number, not 'high'",
            "    priority|t.conf:4:5: error: priority needs a value",
            "    advert_int fast|t.conf:4:16: error: advert_int must be a number of seconds (e.g. 3 or 0.5), not 'fast'",
            "    advert_int 300|t.conf:4:16: error: advert_int 300 s is outside 0.01–255 s",
            "    state LEADER|t.conf:4:11: error: state must be MASTER or BACKUP, not 'LEADER'",
            "    version 4|t.conf:4:13: error: version 4 is outside 2–3",
            "    unicast_src_ip 192.0.2.300|t.conf:4:20: error: unicast_src_ip: '192.0.2.300' is not an IPv4 or IPv6 address",
            "    unicast_src_ip lb1.example.org|t.conf:4:20: error: unicast_src_ip: 'lb1.example.org' is not an IPv4 or IPv6 address",
    })
    void badValuesInAnInstance(String line, String expected) {
        assertThat(errors(instance(line + "\n"))).containsExactly(expected);
    }

    @Test
    void virtualRouterIdOutOfRangeIsOneError() {
        assertThat(errors("vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 256\n}\n"))
                .containsExactly("t.conf:3:23: error: virtual_router_id 256 is outside 1–255");
    }

    @Test
    void missingInterfaceAndRouterId() {
        assertThat(errors("vrrp_instance VI_1 {\n}\n")).containsExactly(
                "t.conf:1:1: error: vrrp_instance VI_1 has no interface line; say which interface carries its adverts",
                "t.conf:1:1: error: vrrp_instance VI_1 has no virtual_router_id (1–255)");
    }

    @Test
    void badVirtualAddress() {
        assertThat(errors(instance("    virtual_ipaddress {\n        192.0.2.1/33\n        192.0.2.x\n        192.0.2.2 device eth0\n    }\n")))
                .containsExactly(
                        "t.conf:5:9: error: virtual_ipaddress: prefix length '/33' must be 0–32",
                        "t.conf:6:9: error: virtual_ipaddress: '192.0.2.x' is not an address (ADDR[/PREFIX] [dev IFACE] [label LABEL] …)",
                        "t.conf:7:19: error: virtual_ipaddress: unknown address option 'device' (expected brd, dev, scope or label)");
    }

    @Test
    void authenticationProblems() {
        assertThat(errors(instance("    authentication {\n        auth_type MD5\n    }\n"))).containsExactly(
                "t.conf:5:19: error: auth_type must be PASS or AH, not 'MD5'");
        assertThat(errors(instance("    authentication {\n        auth_type PASS\n    }\n")))
                .containsExactly("t.conf:4:5: error: authentication in vrrp_instance VI_1 needs an auth_pass");
    }

    @Test
    void duplicateInstanceNameAndVrid() {
        var text = instance("") + instance("") + "vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 1\n}\n";
        assertThat(errors(text)).containsExactly(
                "t.conf:5:1: error: vrrp_instance VI_1 is defined twice (keepalived ignores this one)",
                "t.conf:11:5: error: vrrp_instance VI_2: virtual_router_id 1 is already used by VI_1 on eth0 (IPv4); each VRID must be unique per interface");
    }

    @Test
    void subSecondAdvertIntervalNeedsVersion3() {
        assertThat(errors(instance("    advert_int 0.5\n"))).containsExactly(
                "t.conf:4:5: error: vrrp_instance VI_1: advert_int 0.5 s cannot be carried by VRRPv2, which counts whole seconds (1–255); use version 3 for sub-second intervals");
        assertThat(errors(instance("    version 3\n    advert_int 0.005\n")))
                .containsExactly("t.conf:5:16: error: advert_int 0.005 s is outside 0.01–255 s");
    }

    @Test
    void referencesToThingsThatDoNotExist() {
        var text = instance("    track_script {\n        chk_missing\n    }\n")
                + "vrrp_sync_group G {\n    group {\n        VI_1\n        VI_9\n    }\n}\n"
                + "virtual_server group NOPE {\n    protocol TCP\n}\n";
        assertThat(errors(text)).containsExactly(
                "t.conf:5:9: error: vrrp_instance VI_1 tracks script chk_missing, but no vrrp_script chk_missing is defined",
                "t.conf:11:9: error: vrrp_sync_group G names instance VI_9, which is not defined",
                "t.conf:14:22: error: virtual_server group NOPE: no virtual_server_group NOPE is defined");
    }

    @Test
    void virtualServerProblems() {
        var text = """
                virtual_server 192.0.2.1 70000 {
                    lb_algo fastest
                    lb_kind BRIDGE
                    protocol ICMP
                    real_server 192.0.2.2 80 {
                        weight 2147483648
                        HTTP_GET {
                            url {
                                digest xyz
                                status_code 200 999 3xx
                            }
                        }
                    }
                }
                """;
        assertThat(errors(text)).containsExactly(
                "t.conf:1:26: error: virtual_server port 70000 is outside 0–65535",
                "t.conf:2:13: error: unknown scheduler 'fastest' (expected one of dh, fo, lblc, lblcr, lc, mh, nq, ovf, rr, sed, sh, twos, wlc, wrr)",
                "t.conf:3:13: error: lb_kind must be NAT, DR or TUN, not 'BRIDGE'",
                "t.conf:4:14: error: protocol must be TCP, UDP or SCTP, not 'ICMP'",
                "t.conf:6:16: error: weight 2147483648 is outside 0–2147483647",
                "t.conf:9:24: error: digest must be 32 hexadecimal digits (an MD5), as genhash prints it",
                "t.conf:10:33: error: status_code 999 is outside 100–599",
                "t.conf:10:37: error: status_code '3xx' must be a code (200) or a range (200-299)",
                "t.conf:8:13: error: url needs a path",
                "t.conf:7:9: error: HTTP_GET needs at least one url { path … }");
    }

    @Test
    void duplicateRealServerAndQuorumRule() {
        var text = """
                virtual_server 192.0.2.1 80 {
                    protocol TCP
                    quorum 2
                    hysteresis 2
                    real_server 192.0.2.2 80 {
                    }
                    real_server 192.0.2.2 80 {
                    }
                }
                """;
        assertThat(errors(text)).containsExactly(
                "t.conf:7:5: error: real_server 192.0.2.2 80 appears twice in virtual_server 192.0.2.1 80",
                "t.conf:4:5: error: virtual_server 192.0.2.1 80: hysteresis 2 must be smaller than quorum 2");
    }

    @Test
    void missingInclude(@TempDir Path dir) throws Exception {
        var main = dir.resolve("main.conf");
        Files.writeString(main, "include nothere.conf\ninclude conf.d/*.conf\nincludem conf.d/*.conf\n");
        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(main, ""));
        // keepalived's open_and_check_glob: a missing directory of a glob is an error only for
        // includem/includew/includea; a file named without wildcards is one for Pharos always
        assertThat(e.diagnostics()).extracting(Diagnostic::toString).containsExactly(
                main + ":1:9: error: cannot read " + dir.resolve("nothere.conf") + ": no such file",
                main + ":2:9: warning: include conf.d/*.conf matches no file, and a directory or file it names is "
                        + "missing; keepalived reads on without it",
                main + ":3:10: error: include conf.d/*.conf matches no file, and a directory or file it names is "
                        + "missing");
    }

    @Test
    void includeCycle(@TempDir Path dir) throws Exception {
        var a = dir.resolve("a.conf");
        var b = dir.resolve("b.conf");
        Files.writeString(a, "include b.conf\n");
        Files.writeString(b, "\ninclude a.conf\n");
        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(a, ""));
        assertThat(e.errors()).extracting(Diagnostic::toString)
                .containsExactly(b + ":2:9: error: include cycle: " + a + " -> " + b + " -> " + a);
    }

    @Test
    void errorsInAnIncludedFileNameThatFile(@TempDir Path dir) throws Exception {
        var main = dir.resolve("main.conf");
        Files.writeString(main, "include part.conf\n");
        Files.writeString(dir.resolve("part.conf"), "! part\nvrrp_instance X {\n    interface eth0\n    virtual_router_id 0\n}\n");
        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(main, ""));
        assertThat(e.errors()).extracting(Diagnostic::toString)
                .containsExactly(dir.resolve("part.conf") + ":4:23: error: virtual_router_id 0 is outside 1–255");
    }

    @Test
    void notUtf8AndControlCharacters(@TempDir Path dir) throws Exception {
        var bin = dir.resolve("bin.conf");
        Files.write(bin, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41});
        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(bin, ""));
        // not UTF-8: read byte for byte (ISO-8859-1), so only the NUL is refused
        assertThat(e.errors()).extracting(Diagnostic::toString)
                .containsExactly(bin + ":1:3: error: unexpected control character U+0000");
        assertThat(errors("global_defs {\n  router_id a\u0000b\n}\n"))
                .containsExactly("t.conf:2:14: error: unexpected control character U+0000");
    }

    @Test
    void missingFile(@TempDir Path dir) {
        var none = dir.resolve("none.conf");
        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(none, ""));
        assertThat(e.errors()).extracting(Diagnostic::toString)
                .containsExactly(none + ":1:1: error: cannot read " + none + ": no such file");
    }

    @Test
    void repeatedKeywordIsAWarningLastOneWins() throws ConfigException {
        var loaded = ConfigLoader.parse(Path.of("t.conf"), instance("    priority 100\n    priority 120\n"));
        assertThat(loaded.config().vrrpInstances().getFirst().priority()).isEqualTo(120);
        assertThat(loaded.warnings()).extracting(Diagnostic::toString)
                .containsExactly("t.conf:5:5: warning: priority is given again in vrrp_instance VI_1 (first at line 4); the last one wins");
    }

    @Test
    void jsonErrorsNameLineAndColumn() {
        var e = catchThrowableOfType(ConfigException.class,
                () -> ConfigJson.fromJson("{\n  \"vrrpInstances\": [ { \"name\": \"VI_1\", \"priority\": \"high\" } ]\n}", Path.of("c.json")));
        assertThat(e.errors()).singleElement().asString().startsWith("c.json:2:").contains("error: invalid JSON configuration");
        var v = catchThrowableOfType(ConfigException.class,
                () -> ConfigJson.fromJson("{ \"vrrpInstances\": [ { \"name\": \"A\", \"interfaceName\": \"eth0\", \"virtualRouterId\": 1,"
                        + " \"trackScripts\": [ { \"name\": \"nope\" } ] } ] }", Path.of("c.json")));
        assertThat(v.errors()).extracting(Diagnostic::toString)
                .containsExactly("config: error: vrrp_instance A tracks script nope, but no vrrp_script nope is defined");
    }

    @Test
    void includesMustBeRegularFiles(@TempDir Path dir) throws Exception {
        // /dev/zero reports size 0 and never ends (it once grew the heap until the adverts
        // stopped), a FIFO blocks the reader, a directory is no text: each is an error at the
        // include, found without reading a byte.
        var fifo = dir.resolve("pipe.conf");
        var mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "needs mkfifo");
        Files.createDirectories(dir.resolve("sub"));
        var main = dir.resolve("main.conf");
        Files.writeString(main, "include /dev/zero\ninclude pipe.conf\ninclude sub\n");
        var e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(main, "")));
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(
                main + ":1:9: error: cannot read /dev/zero: is not a regular file (a device, FIFO or socket); "
                        + "include only configuration files",
                main + ":2:9: error: cannot read " + fifo + ": is not a regular file (a device, FIFO or socket); "
                        + "include only configuration files",
                main + ":3:9: error: cannot read " + dir.resolve("sub") + ": is a directory; include only "
                        + "configuration files");
    }

    @Test
    void findingsInAFileOutsideTheTreeDoNotQuoteIt(@TempDir Path dir, @TempDir Path elsewhere) throws Exception {
        // An include of a file the reader may not see (/etc/shadow) once came back as "unknown
        // keyword" warnings and errors that quoted its lines.
        var secret = elsewhere.resolve("shadow");
        Files.writeString(secret, "root:$6$secretHash:19000:0:99999:7:::\n}\n");
        var main = dir.resolve("main.conf");
        Files.writeString(main, "include " + secret + "\n");
        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(main, ""));
        assertThat(e).isNotNull();
        assertThat(e.diagnostics()).isNotEmpty().allSatisfy(d -> {
            assertThat(d.toString()).doesNotContain("secretHash").doesNotContain("root:");
            assertThat(d.position().file()).isEqualTo(secret);
        });
        assertThat(e.getMessage()).doesNotContain("secretHash");
        assertThat(e.errors().getFirst().message()).contains("outside " + dir.toRealPath()).contains("not shown");
        // inside the tree the same text is quoted as before, where it helps
        Files.writeString(dir.resolve("part.conf"), "bogus_keyword 1\n");
        Files.writeString(main, "include part.conf\n");
        var inside = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(main, ""));
        assertThat(inside.errors()).extracting(Diagnostic::message).anyMatch(m -> m.contains("bogus_keyword"));
    }

    @Test
    void textFromTheControlChannelIncludesOnlyInsideTheTree(@TempDir Path dir, @TempDir Path elsewhere)
            throws Exception {
        var main = dir.resolve("keepalived.conf");
        Files.writeString(main, "");
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/a.conf"), "global_defs {\n    router_id inside\n}\n");
        var outside = elsewhere.resolve("x.conf");
        Files.writeString(outside, "secretText here\n");
        Files.createSymbolicLink(dir.resolve("conf.d/link.conf"), outside);
        var tree = dir.toRealPath();

        var ok = ConfigLoader.parseConfined(main, "include conf.d/a.conf\n", "", 1 << 20);
        assertThat(ok.config().globalDefs().routerId()).isEqualTo("inside");

        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parseConfined(main,
                "include " + outside + "\ninclude ../" + elsewhere.getFileName() + "/x.conf\n"
                        + "include conf.d/link.conf\ninclude /etc/no-such-file\n", "", 1 << 20));
        var rule = "refused: a configuration sent through the control channel may include only files inside " + tree
                + ", the directory tree of the agent's configuration file";
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(
                main + ":1:9: error: include " + outside + " " + rule,
                main + ":2:9: error: include ../" + elsewhere.getFileName() + "/x.conf " + rule,
                main + ":3:9: error: include conf.d/link.conf " + rule
                        + "; a symbolic link inside the tree does not make its target part of it",
                main + ":4:9: error: include /etc/no-such-file " + rule);
        assertThat(e.diagnostics()).extracting(Diagnostic::toString).noneMatch(d -> d.contains("secretText"));
        // a glob inside the tree skips a link that leads out of it, with the same error
        var g = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parseConfined(main,
                "include conf.d/*.conf\n", "", 1 << 20));
        assertThat(g.errors()).extracting(Diagnostic::message).containsExactly("include conf.d/*.conf " + rule
                + " (link.conf); a symbolic link inside the tree does not make its target part of it");
        // a client's text and its includes together stay within the share of the heap it is given
        var budget = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parseConfined(main,
                "include conf.d/a.conf\n", "", 40));
        assertThat(budget.errors()).extracting(Diagnostic::toString).containsExactly(main + ":1:9: error: cannot read "
                + dir.resolve("conf.d/a.conf") + ": the configuration's files together would exceed 40 bytes, the most "
                + "the agent parses for a client with its heap (check a larger configuration with director-agent "
                + "check-config, or give the agent a larger -Xmx)");
    }
}
