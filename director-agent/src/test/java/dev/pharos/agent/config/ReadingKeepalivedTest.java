package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Keepalived;
import dev.pharos.testing.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/// Pharos reads parameters, `~SEQ`/`~LST`, `@ID` lines and includes into the same lines as real
/// keepalived 2.2.7: each case is made of keywords keepalived does not know, so `keepalived
/// --config-test` names the first word of every line it read, with its line number ("Unknown
/// keyword 'zz_…'"), and Pharos's first words and lines must be the same.
class ReadingKeepalivedTest {

    private static final Pattern UNKNOWN = Pattern.compile("^\\((?:(.+): )?Line (\\d+)\\) Unknown keyword '(.*)'$");

    private static Netns net;
    private static Netns.Host host;

    /// The cases: main.conf, then other files as `=== name` sections.
    private static final Map<String, String> CASES = Map.of(
            "parameters", """
                    $X=zz_x
                    $X
                    $Y=${X}_tail
                    $Y
                    ${X}/a
                    $P=zz_p
                    $P,x
                    $P)y
                    $ADDRESS_BASE=zz_10.2.${ADDRESS_BASE_SUB}
                    $ADDRESS_BASE_SUB=0
                    ${ADDRESS_BASE}.100/32
                    $ADDRESS_BASE_SUB=10
                    ${ADDRESS_BASE}.100/32
                    $E=
                    zz_e$E end
                    """,
            "multiline", """
                    $INST= \\
                    zz_inst_${NUM} a \\
                    ! a comment does not end it
                        @lb1 zz_high_${NUM} \\
                        @lb2 zz_low_${NUM} \\
                        zz_last_${NUM}
                    $NUM=0
                    $INST
                    $NUM=1
                      $INST
                    $M=zz_m1 \\
                    zz_m2

                    zz_after_empty
                    zz_pre $M
                    $I=zz_i1 \\
                    zz_i2
                    $O=zz_o1 $I\\
                    zz_o2
                    $O
                    """,
            "sequences", """
                    ~SEQ(i, 3) zz_seq_$i
                    ~SEQ(i, -2) zz_neg_$i
                    ~SEQ(i, 5, 3) zz_down_$i
                    ~SEQ(i, 1, 3, 8) zz_step_$i
                    ~SEQx(h, 0x9, 2, 0xd) zz_hex_$h
                    $N=2
                    ~SEQ(i, 010, $N, 012) zz_oct_$i
                    ~SEQ(a, 2) ~SEQ(b, 2) zz_nest_${a}_${b}
                    $S=~SEQ(i, 2)
                    $S zz_def_$i
                    ~LST(v, p, q) zz_l_$v
                    ~LST({a,b}, {1,x},{2,y},{3}) zz_lst_${a}_${b}
                    """,
            "configid", """
                    @lb1 zz_a
                    @^lb1 zz_b
                    @lb2 zz_c
                    @^lb2 zz_d
                    @lb1
                    @lb1 $V=zz_v1
                    @lb2 $V=zz_v2
                    $V
                    \t@lb1   zz_tab
                    """,
            "builtins", """
                    zz_pwd_${_PWD}
                    zz_inst_${_INSTANCE}
                    "${_HASH}q"
                    $X=x
                    zz_\\#esc $X
                    zz_plain\\#esc
                    ${_HASH}gone
                    zz_r${_RANDOM 4 4}
                    $_BANG=zz_bang
                    $_BANG
                    """,
            "includes", """
                    include inc.d/{b,a}.conf
                    $I=include inc.d/c.conf
                    $I
                    include empty.d/*.conf
                    zz_main_${FROM_C}
                    === inc.d/a.conf
                    zz_a_${_PWD}
                    === inc.d/b.conf
                    zz_b
                    === inc.d/c.conf
                    $FROM_C=c
                    zz_c
                    """);

    @BeforeAll
    static void namespace() {
        assumeTrue(Netns.available() && Keepalived.installed(), "needs root, iproute2 and keepalived");
        net = Netns.create();
        host = net.host("kr");
    }

    @AfterAll
    static void cleanUp() {
        if (net != null) {
            net.close();
        }
    }

    private static Path write(Path dir, String text) throws IOException {
        Files.createDirectories(dir.resolve("empty.d"));
        var sections = text.split("(?m)^=== ");
        var main = dir.resolve("main.conf");
        Files.writeString(main, sections[0]);
        for (int i = 1; i < sections.length; i++) {
            int nl = sections[i].indexOf('\n');
            var file = dir.resolve(sections[i].substring(0, nl));
            Files.createDirectories(file.getParent());
            Files.writeString(file, sections[i].substring(nl + 1));
        }
        return main;
    }

    /// What keepalived read, as `FILE:LINE WORD` for each line: first its parent process reads
    /// the files; then its VRRP and checker processes read the copy the parent wrote
    /// (`write_conf_copy` in `read_line`), and name the main file by its full path.
    record Passes(List<String> parent, Set<String> children) {
    }

    private static Passes keepalived(Path main) {
        var result = host.exec("/usr/sbin/keepalived", "--config-test", "-i", "lb1", "-f", main.toString());
        var parent = new ArrayList<String>();
        var children = new LinkedHashSet<String>();
        for (var line : result.output().lines().toList()) {
            var m = UNKNOWN.matcher(line.trim());
            if (m.matches()) {
                var file = m.group(1) == null ? main : Path.of(m.group(1));
                var read = file.getFileName() + ":" + m.group(2) + " " + m.group(3);
                boolean child = !children.isEmpty() || (m.group(1) != null && file.isAbsolute())
                        || (!parent.isEmpty() && parent.getFirst().equals(read));
                (child ? children : parent).add(read);
            }
        }
        return new Passes(parent, children);
    }

    private static List<String> pharos(Path main) throws ConfigException {
        var out = new ArrayList<String>();
        boolean lineStart = true;
        for (var t : SourceReader.load(main, "lb1").tokens()) {
            if (lineStart && t.kind() == Token.Kind.WORD) {
                out.add(t.position().file().getFileName() + ":" + t.position().line() + " " + t.text());
            }
            lineStart = t.kind() == Token.Kind.END_OF_LINE;
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"parameters", "multiline", "sequences", "configid", "builtins", "includes"})
    void pharosReadsTheSameLinesAsKeepalived(String name, @TempDir Path dir) throws Exception {
        var main = write(dir, CASES.get(name));
        var passes = keepalived(main);
        assertThat(passes.parent()).as("keepalived read something").isNotEmpty();
        assertThat(pharos(main)).isEqualTo(passes.parent());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lb1", "lb2"})
    void theCorpusFilesOfTheReadingRulesPassKeepalivedAndLoadAsItReadsThem(String id) throws Exception {
        // (the namespace's own interface is eth0, which the files name)
        var corpus = Path.of("src/test/resources/corpus").toAbsolutePath();
        for (var name : List.of("params-multiline.conf", "params-seq.conf", "config-id.conf", "bytes-latin1.conf")) {
            var file = corpus.resolve(name);
            var run = host.exec("/usr/sbin/keepalived", "--config-test", "-i", id, "-f", file.toString());
            assertThat(run.exitCode()).as("keepalived -t -i %s %s: %s", id, name, run.output()).isZero();
            assertThat(ConfigLoader.load(file, id).warnings()).as(name).isEmpty();
        }
        boolean lb1 = id.equals("lb1");
        var multi = ConfigLoader.load(corpus.resolve("params-multiline.conf"), id).config();
        assertThat(multi.vrrpInstances()).extracting(VrrpInstanceDef::name, VrrpInstanceDef::priority,
                i -> i.virtualIpAddresses().size()).containsExactly(
                        tuple("VI_1", lb1 ? 150 : 100, 1),
                        tuple("VI_2", lb1 ? 150 : 100, 1));
        var seq = ConfigLoader.load(corpus.resolve("params-seq.conf"), id).config();
        assertThat(seq.vrrpInstances()).extracting(i -> i.virtualIpAddresses().size()).containsExactly(5, 2);
        var ids = ConfigLoader.load(corpus.resolve("config-id.conf"), id).config();
        assertThat(ids.globalDefs().routerId()).isEqualTo(lb1 ? "primary_lb1" : "secondary_lb2");
        var bytes = ConfigLoader.load(corpus.resolve("bytes-latin1.conf"), id).config();
        assertThat(bytes.vrrpScripts()).extracting(VrrpScriptDef::name, VrrpScriptDef::script)
                .containsExactly(tuple("chk_caf\u00e9", "/bin/true --mode=\u00e9t\u00e9"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"multiline", "builtins"})
    void wherekeepalivedsProcessesReadTheCopyDifferentlyPharosWarns(String name, @TempDir Path dir) throws Exception {
        // a comment line inside a multi-line definition, and \#: the copy keepalived's VRRP and
        // checker processes read has an empty line and a bare # there
        var main = write(dir, CASES.get(name));
        var passes = keepalived(main);
        assertThat(passes.children()).isNotEqualTo(new LinkedHashSet<>(passes.parent()));
        assertThat(SourceReader.load(main, "lb1").warnings()).extracting(Diagnostic::message)
                .anyMatch(m -> m.startsWith("keepalived 2.2.7 passes this"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"parameters", "sequences", "configid", "includes"})
    void otherwiseAllOfKeepalivedsProcessesReadTheSame(String name, @TempDir Path dir) throws Exception {
        var main = write(dir, CASES.get(name));
        var passes = keepalived(main);
        assertThat(passes.children()).containsExactlyInAnyOrderElementsOf(passes.parent());
        assertThat(SourceReader.load(main, "lb1").warnings()).isEmpty();
    }
}
