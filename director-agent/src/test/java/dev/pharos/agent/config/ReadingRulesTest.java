package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The reading rules of keepalived 2.2.7's `lib/parser.c` that apply before any keyword is seen
/// (`read_line`): parameters, `~SEQ`/`~LST`, `@ID` lines, includes, bytes that are not UTF-8.
/// Each line of tokens is shown as `text@line:col`, a generated token (from a substitution) as
/// `text*@line:col`.
class ReadingRulesTest {

    private static final Path FILE = Path.of("/cfg/t.conf");

    private static List<String> lines(String text, String configId) throws ConfigException {
        return render(SourceReader.load(FILE, text, Map.of(), configId).tokens());
    }

    private static List<String> lines(String text) throws ConfigException {
        return lines(text, "lb1");
    }

    static List<String> render(List<Token> tokens) {
        var out = new ArrayList<String>();
        var line = new StringBuilder();
        for (var t : tokens) {
            if (t.kind() == Token.Kind.END_OF_LINE) {
                out.add(line.toString());
                line.setLength(0);
                continue;
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(t.text()).append(t.generated() ? "*" : "").append('@').append(t.position().line()).append(':')
                    .append(t.position().column());
        }
        return out;
    }

    private static List<String> diagnostics(String text) {
        try {
            return SourceReader.load(FILE, text, Map.of(), "lb1").warnings().stream().map(Diagnostic::toString).toList();
        } catch (ConfigException e) {
            return e.diagnostics().stream().map(Diagnostic::toString).toList();
        }
    }

    @Test
    void aParameterIsSubstitutedBeforeABlankOrAtTheEndAndPointsAtItsUse() throws ConfigException {
        assertThat(lines("""
                $VIP=192.0.2.10
                $NET=198.51.100
                virtual_ipaddress {
                    $VIP dev eth0
                    ${NET}.1/24
                }
                """)).containsExactly(
                "virtual_ipaddress@3:1 {@3:19",
                "192.0.2.10*@4:5 dev@4:10 eth0@4:14",
                "198.51.100.1/24*@5:5",
                "}@6:1");
    }

    @Test
    void aParameterBeforeCommaOrParenthesisIsSubstitutedButNotBeforeOtherCharacters() throws ConfigException {
        assertThat(lines("$P=zz\nk $P,x $P)y\nk \"$P\" $P/a\n")).containsExactly(
                "k@2:1 zz,x*@2:3 zz)y*@2:8",
                "k@3:1 $P@3:3 $P/a@3:8");
        assertThat(diagnostics("$P=zz\nk \"$P\" $P/a\n")).containsExactly(
                "/cfg/t.conf:2:4: warning: $P is not substituted: keepalived substitutes $P only before a blank, ',', ')' "
                        + "or the end of the line; write ${P}",
                "/cfg/t.conf:2:8: warning: $P is not substituted: keepalived substitutes $P only before a blank, ',', ')' "
                        + "or the end of the line; write ${P}");
    }

    @Test
    void aDefinitionNeedsNoBlankBeforeTheEqualsSign() {
        // "$X = 1" is no definition for keepalived's check_definition: it is the keyword "$X"
        assertThat(diagnostics("$X = 1\n")).containsExactly(
                "/cfg/t.conf:1:1: error: $X is not defined, so keepalived keeps it as written");
    }

    @Test
    void anUndefinedNameIsKeptAsKeepalivedDoesAnErrorOnlyAsTheKeyword() throws ConfigException {
        assertThat(lines("script \"/bin/check $HOME $1 $(id)\"\n")).containsExactly(
                "script@1:1 /bin/check $HOME $1 $(id)@1:8");
        assertThat(diagnostics("script \"/bin/check $HOME $1\"\n  $UNDEF x\n")).containsExactly(
                "/cfg/t.conf:1:20: warning: $HOME is not defined, so keepalived keeps it as written",
                "/cfg/t.conf:2:3: error: $UNDEF is not defined, so keepalived keeps it as written");
    }

    @Test
    void substitutionIsRecursiveAtUseNotAtDefinition() throws ConfigException {
        // the example of keepalived.conf(5), "Parameter substitution"
        assertThat(lines("""
                $ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}
                $ADDRESS_BASE_SUB=0
                ${ADDRESS_BASE}.100/32
                $ADDRESS_BASE_SUB=10
                ${ADDRESS_BASE}.100/32
                """)).containsExactly("10.2.0.100/32*@3:1", "10.2.10.100/32*@5:1");
    }

    @Test
    void aMultiLineDefinitionExpandsToSeveralStatementsAtItsUse() throws ConfigException {
        assertThat(lines("""
                $INST= \\
                vrrp_instance VI_${NUM} { \\
                    @lb1 priority 130 \\
                    @lb2 priority 120 \\
                ! a comment line does not end the definition
                    virtual_router_id ${NUM} \\
                }
                $NUM=1
                  $INST
                """)).containsExactly(
                "vrrp_instance*@9:3 VI_1*@9:3 {*@9:3",
                "priority*@9:3 130*@9:3",
                "virtual_router_id*@9:3 1*@9:3",
                "}*@9:3");
        // a multi-line definition used in mid-line is left as written
        assertThat(diagnostics("$M=a \\\nb\nx $M y\n")).containsExactly(
                "/cfg/t.conf:3:3: warning: $M is a multi-line definition, which keepalived substitutes only at the end of a line");
        // text before the use stays in front of the first line
        assertThat(lines("$M=a \\\nb\nx $M\n")).containsExactly("x@3:1 a*@3:3", "b*@3:3");
    }

    @Test
    void anEmptyLineEndsAMultiLineDefinition() throws ConfigException {
        assertThat(lines("$M=a \\\n\nb\n$M\n")).containsExactly("b@3:1", "a*@4:1");
        // an empty first line and one continuation line: one line, without a line end
        assertThat(lines("$C= \\\nzz_c\n$C\n")).containsExactly("zz_c*@3:1");
        // nested: the rest of the inner definition comes before the rest of the outer one
        assertThat(lines("$I=i1 \\\ni2\n$O=o1 $I\\\no2\n$O\n")).containsExactly(
                "o1*@5:1 i1*@5:1", "i2*@5:1", "o2*@5:1");
    }

    @Test
    void aDefinitionCanBeConditionalAndAnAtLineCanBeSubstituted() throws ConfigException {
        var text = "@lb1 $PRIO=240\n@lb2 $PRIO=200\npriority $PRIO\n$IF_MAIN=@lb1\n$IF_MAIN zz_if lb1\n";
        assertThat(lines(text, "lb1")).containsExactly("priority@3:1 240*@3:10", "zz_if@5:10 lb1@5:16");
        assertThat(lines(text, "lb2")).containsExactly("priority@3:1 200*@3:10");
    }

    @Test
    void configIdLinesNeedAWordAfterTheIdAndNullMatchesNoId() throws ConfigException {
        var text = "@lb1 a\n@^lb1 b\n@lb1\n@lb1{ c\n\t@^lb2   d e\n";
        assertThat(lines(text, "lb1")).containsExactly("a@1:6", "d@5:10 e@5:12");
        assertThat(lines(text, "lb1{")).containsExactly("b@2:7", "c@4:7", "d@5:10 e@5:12");
        assertThat(lines(text, null)).containsExactly("b@2:7", "d@5:10 e@5:12");
    }

    @Test
    void substitutedTextIsDecommentedAgainSoHashStartsACommentOutsideQuotes() throws ConfigException {
        // keepalived 2.2.7 (seen with keepalived -t): after a substitution the line goes through
        // decomment() again, so an escaped \# becomes a comment, and ${_HASH} is one outside quotes
        assertThat(lines("$X=x\nzz_\\#esc $X\nzz_plain\\#esc\n${_HASH}gone\n\"${_HASH}q\" ${_BANG}\n")).containsExactly(
                "zz_@2:1", "zz_plain#esc@3:1", "#q*@5:1");
    }

    @Test
    void builtInsNameTheDirectoryOfTheFileTheInstanceAndARandomNumber(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("main.conf"), "k ${_PWD} ${_INSTANCE}\ninclude conf.d/*.conf\nk2 ${_PWD}\n");
        Files.writeString(dir.resolve("conf.d/a.conf"), "k1 ${_PWD}\n");
        var words = SourceReader.load(dir.resolve("main.conf"), "node7").tokens().stream()
                .filter(t -> t.kind() == Token.Kind.WORD).map(Token::text).toList();
        var real = dir.toRealPath();
        assertThat(words).containsExactly("k", real.toString(), "node7", "k1", real.resolve("conf.d").toString(), "k2",
                real.toString());
        for (int i = 0; i < 50; i++) {
            var n = Integer.parseInt(lines("k ${_RANDOM 5 7} $_RANDOM\n").getFirst().split(" ")[1].split("\\*")[0]);
            assertThat(n).isBetween(5, 7);
        }
        assertThat(lines("k ${_RANDOM 9 9}\n")).containsExactly("k@1:1 9*@1:3");
        assertThat(diagnostics("k ${_RANDOM 9 3}\n")).containsExactly(
                "/cfg/t.conf:1:3: error: ${_RANDOM 9 3}: MIN 9 is above MAX 3");
        // a built-in can be redefined, as any parameter
        assertThat(lines("$_HASH=h\nk ${_HASH}\n")).containsExactly("k@2:1 h*@2:3");
    }

    @Test
    void seqRepeatsTheRestOfTheLine() throws ConfigException {
        assertThat(lines("~SEQ(i, 3) k$i\n")).containsExactly("k1*@1:12", "k2*@1:12", "k3*@1:12");
        assertThat(lines("~SEQ(i, -2) k$i\n")).containsExactly("k-1*@1:13", "k-2*@1:13");
        assertThat(lines("~SEQ(i, 0) k$i\n")).containsExactly("k1*@1:12", "k0*@1:12");
        assertThat(lines("~SEQ(i,5,3) k$i\n")).containsExactly("k5*@1:13", "k4*@1:13", "k3*@1:13");
        assertThat(lines("~SEQ(i, 1, 3, 8) k$i\n")).containsExactly("k1*@1:18", "k4*@1:18", "k7*@1:18");
        // the example of keepalived.conf(5): hexadecimal, C-style numbers
        assertThat(lines("~SEQx(S, 0x90, 0x10, 0xc0) ip fe80::20:${S}:1\n")).containsExactly(
                "ip*@1:28 fe80::20:90:1*@1:31", "ip*@1:28 fe80::20:a0:1*@1:31", "ip*@1:28 fe80::20:b0:1*@1:31",
                "ip*@1:28 fe80::20:c0:1*@1:31");
        assertThat(lines("$N=2\n~SEQ(i, 010, $N, 012) k$i\n")).containsExactly("k8*@2:23", "k10*@2:23");
        // nested, and one in a definition (a value starting with ~ ends the substitutions of its line)
        assertThat(lines("~SEQ(a, 2) ~SEQ(b, 2) k${a}${b}\n")).containsExactly(
                "k11*@1:23", "k12*@1:23", "k21*@1:23", "k22*@1:23");
        assertThat(lines("$S=~SEQ(i, 2)\n$S k$i\n")).containsExactly("k1*@2:4", "k2*@2:4");
    }

    @Test
    void anInvalidSeqIsAnErrorAtItsStart() {
        assertThat(diagnostics("  ~SEQ(i, 1, -1, 3) k\n")).containsExactly(
                "/cfg/t.conf:1:3: error: invalid ~SEQ: ~SEQ's step -1 does not lead from 1 to 3");
        assertThat(diagnostics("~SEQ(i, 1, 0, 3) k\n~SEQ(i 3) k\n~SEQ(i, 3 k\n~SEQx(i, -3) k\n")).containsExactly(
                "/cfg/t.conf:1:1: error: invalid ~SEQ: ~SEQ's step 0 does not lead from 1 to 3",
                "/cfg/t.conf:2:1: error: invalid ~SEQ: ~SEQ(VAR, [START, [STEP,]] END) needs a variable and a ','",
                "/cfg/t.conf:3:1: error: invalid ~SEQ: the ')' that closes ~SEQ( is missing",
                "/cfg/t.conf:4:1: error: invalid ~SEQx: ~SEQx takes only non-negative numbers".replace("~SEQx:", "~SEQ:"));
    }

    @Test
    void lstSetsOneOrSeveralVariablesPerRepetition() throws ConfigException {
        assertThat(lines("~LST(v, p, q) k_$v\n")).containsExactly("k_p*@1:15", "k_q*@1:15");
        // the example of keepalived.conf(5), "List blocks"; a short set leaves a variable empty
        assertThat(lines("~LST({IP, IP1}, {10,1},{20,4},{5}) 192.168.${IP}.${IP1}\n")).containsExactly(
                "192.168.10.1*@1:36", "192.168.20.4*@1:36", "192.168.5.*@1:36");
        assertThat(diagnostics("~LST({a}, {1, 2}) k\n~LST(v) k\n")).containsExactly(
                "/cfg/t.conf:1:1: error: invalid ~LST: a set of ~LST values has more values than there are variables (1)",
                "/cfg/t.conf:2:1: error: invalid ~LST: ~LST(VAR, V1, V2…) or ~LST({VAR1, VAR2}, {V1, V2}…): a ',' is "
                        + "missing");
    }

    @Test
    void recursionIsAnErrorAtTheUseWhereKeepalivedWouldLoopForEver() {
        // keepalived -t hangs on each of these (replace_param rescans what it substituted)
        assertThat(diagnostics("$A=$A\nk $A\n")).containsExactly("/cfg/t.conf:2:3: error: parameter substitution does "
                + "not end after 1000 substitutions in this line: does $A use itself? (keepalived would loop for ever)");
        assertThat(diagnostics("$A=${B}\n$B=$A\nk $A\n")).singleElement().asString()
                .startsWith("/cfg/t.conf:3:3: error: parameter substitution does not end");
        assertThat(diagnostics("$A=$A x\nk $A\n")).singleElement().asString()
                .startsWith("/cfg/t.conf:2:3: error: substituting $A makes the line 1024 characters long; keepalived "
                        + "reads at most 1023");
        assertThat(diagnostics("$M=a \\\n$M\n$M\n")).singleElement().asString().startsWith(
                "/cfg/t.conf:3:1: error: multi-line definitions and ~SEQ/~LST lines started within each other more than 64 deep");
        assertThat(diagnostics("~SEQ(i, 100000000) ~SEQ(j, 100000000) k${i}${j}\n")).singleElement().asString()
                .startsWith("/cfg/t.conf:1:").contains("expand to more than");
    }

    @Test
    void positionsAfterSubstitutionPointAtTheUseInTheParsersErrorsToo() {
        var e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(FILE, """
                $P=400
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 1
                    priority $P
                }
                """, "lb1"));
        assertThat(e.errors()).extracting(Diagnostic::toString).singleElement().asString()
                .startsWith("/cfg/t.conf:5:14: error: priority 400");
    }

    @Test
    void anIncludeIsTheRestOfTheLineAndMayComeFromASubstitution(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("inc.d"));
        Files.createDirectories(dir.resolve("empty.d"));
        Files.writeString(dir.resolve("inc.d/a.conf"), "zz_a\n");
        Files.writeString(dir.resolve("inc.d/b.conf"), "zz_b ${X}\n");
        Files.writeString(dir.resolve("inc.d/.hidden.conf"), "zz_hidden\n");
        Files.writeString(dir.resolve("inc.d/a b.conf"), "zz_space\n");
        var main = dir.resolve("main.conf");
        Files.writeString(main, """
                $X=from_main
                $I=include inc.d/a.conf
                $I
                include inc.d/{b,a}.conf
                include empty.d/*.conf
                include inc.d/a b.conf
                includer inc.d/*.conf
                """);
        var loaded = SourceReader.load(main, "lb1");
        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.tokens().stream().filter(t -> t.kind() == Token.Kind.WORD).map(Token::text))
                .containsExactly("zz_a", "zz_b", "from_main", "zz_a", "zz_space", "zz_space", "zz_a", "zz_b", "from_main");
        assertThat(loaded.tokens().getFirst().position()).isEqualTo(new Position(dir.resolve("inc.d/a.conf"), 1, 1));
        // the agent refuses an operator's new includes: one a parameter makes is found too
        assertThat(SourceReader.includes(main, Files.readString(main), "lb1")).extracting(i -> i.at().line())
                .containsExactly(3, 4, 5, 6, 7);
        assertThat(SourceReader.includes(main, Files.readString(main), "lb1")).extracting(SourceReader.Include::directive)
                .containsExactly("include inc.d/a.conf", "include inc.d/{b,a}.conf", "include empty.d/*.conf",
                        "include inc.d/a b.conf", "includer inc.d/*.conf");
    }

    @Test
    void includeVariantsAddKeepalivedsChecks(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("empty.d"));
        Files.createDirectories(dir.resolve("inc.d/sub.conf"));
        Files.writeString(dir.resolve("inc.d/a.conf"), "zz_a\n");
        var exe = dir.resolve("inc.d/x.conf");
        Files.writeString(exe, "zz_x\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        var main = dir.resolve("main.conf");
        Files.writeString(main, "include empty.d/*.conf\ninclude inc.d/*.conf\ninclude inc.d/{a,c}.conf\n");
        var loaded = SourceReader.load(main, "lb1");
        assertThat(loaded.warnings()).extracting(Diagnostic::toString).containsExactly(
                main + ":2:9: warning: include inc.d/*.conf: " + dir.resolve("inc.d/sub.conf")
                        + " is a directory; keepalived reads on without it",
                main + ":2:9: warning: include: " + exe + " is executable, and keepalived does not read an "
                        + "executable file; skipped",
                main + ":3:9: warning: include inc.d/{a,c}.conf: some of the files it names are missing; keepalived "
                        + "reads on without it");
        Files.writeString(main, "includew empty.d/*.conf\nincludea inc.d/{a,c}.conf\nincluder inc.d/x.conf\n");
        var e = catchThrowableOfType(ConfigException.class, () -> SourceReader.load(main, "lb1"));
        assertThat(e.errors()).extracting(Diagnostic::toString).containsExactly(
                main + ":1:10: error: include empty.d/*.conf matches no file (includew and includea require a match)",
                main + ":2:10: error: include inc.d/{a,c}.conf: some of the files it names are missing",
                main + ":3:10: error: include: " + exe + " is executable, and keepalived does not read an executable file");
    }

    @Test
    void definitionsCarryAcrossIncludedFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("defs.conf"), "$VIP=192.0.2.7\n$BLOCK=virtual_ipaddress { \\\n$VIP\n");
        var main = dir.resolve("main.conf");
        Files.writeString(main, "include defs.conf\n$BLOCK\n}\n");
        assertThat(render(SourceReader.load(main, "lb1").tokens())).containsExactly(
                "virtual_ipaddress*@2:1 {*@2:1", "192.0.2.7*@2:1", "}@3:1");
        // a file of definitions only is one the agent watches for changes too
        assertThat(ConfigLoader.files(main, "lb1")).containsExactly(main, dir.resolve("defs.conf"));
    }

    @Test
    void bytesThatAreNotUtf8LoadAndTheirTextGivesTheSameBytesBack(@TempDir Path dir) throws Exception {
        // Latin-1 "é" in a comment and a script path; Shift-JIS "設定" (0x90 0xDD 0x92 0xE8) in a comment
        var latin1 = "! r\u00e9glage\nvrrp_script chk {\n    script \"/usr/local/bin/v\u00e9rifier\"\n}\n";
        var bytes = latin1.getBytes(StandardCharsets.ISO_8859_1);
        var sjis = new byte[] {'#', ' ', (byte) 0x90, (byte) 0xDD, (byte) 0x92, (byte) 0xE8, '\n', 'k', ' ',
                (byte) 0x90, (byte) 0xDD, '\n'};
        var main = dir.resolve("main.conf");
        Files.write(main, bytes);
        assertThat(render(SourceReader.load(main, "lb1").tokens())).containsExactly(
                "vrrp_script@2:1 chk@2:13 {@2:17", "script@3:5 /usr/local/bin/v\u00e9rifier@3:12", "}@4:1");
        var decoded = SourceText.decode(bytes);
        assertThat(decoded.charset()).isEqualTo(StandardCharsets.ISO_8859_1);
        assertThat(decoded.text().getBytes(decoded.charset())).isEqualTo(bytes);
        Files.write(main, sjis);
        assertThat(render(SourceReader.load(main, "lb1").tokens())).containsExactly("k@2:1 \u0090\u00dd@2:3");
        assertThat(SourceText.decode(sjis).text().getBytes(SourceText.decode(sjis).charset())).isEqualTo(sjis);
        // valid UTF-8 stays UTF-8
        var utf8 = "k r\u00e9glage\n".getBytes(StandardCharsets.UTF_8);
        assertThat(SourceText.decode(utf8)).isEqualTo(new SourceText.Decoded("k r\u00e9glage\n", StandardCharsets.UTF_8));
    }
}
