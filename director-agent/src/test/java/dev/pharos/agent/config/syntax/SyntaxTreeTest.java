package dev.pharos.agent.config.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.config.syntax.SyntaxNode.Block;
import dev.pharos.agent.config.syntax.SyntaxNode.Opaque;
import dev.pharos.agent.config.syntax.SyntaxNode.Statement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/// The lossless tree gives every file back byte for byte, whatever it holds.
class SyntaxTreeTest {

    static final Path SHARED_SAMPLES = Path.of("/work/shared/keepalived-samples");
    static final Path DEBIAN_SAMPLES = Path.of("/usr/share/doc/keepalived/samples");
    static final Path RESOURCES = Path.of("src/test/resources").toAbsolutePath();
    /// Config ids the samples are written for (`keepalived.conf.conditional_conf` has `@high` and `@low`).
    static final List<String> CONFIG_IDS = List.of("", "high", "low");

    /// keepalived's samples: the shared copy, else Debian's; none on a machine without either.
    static List<Path> samples() throws IOException {
        var dir = Files.isDirectory(SHARED_SAMPLES) ? SHARED_SAMPLES : DEBIAN_SAMPLES;
        assumeTrue(Files.isDirectory(dir), "no keepalived samples in " + SHARED_SAMPLES + " or " + DEBIAN_SAMPLES);
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("README.md"))
                    .sorted().toList();
        }
    }

    /// Every configuration file the tests use (fixtures, corpus).
    static List<Path> fixtures() throws IOException {
        try (Stream<Path> s = Files.walk(RESOURCES)) {
            return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".conf")).sorted().toList();
        }
    }

    static void assertRoundTrip(Path file, byte[] bytes) {
        for (var id : CONFIG_IDS) {
            var tree = SyntaxTree.parse(file, bytes, id);
            assertThat(tree.bytes()).as("%s (config id '%s') printed back", file, id).isEqualTo(bytes);
        }
    }

    @Test
    void keepalivedSamplesComeBackByteForByte() throws IOException {
        var samples = samples();
        assertThat(samples).isNotEmpty();
        for (var p : samples) {
            assertRoundTrip(p, Files.readAllBytes(p));
        }
    }

    @Test
    void everyFixtureComesBackByteForByte() throws IOException {
        var files = fixtures();
        assertThat(files).hasSizeGreaterThanOrEqualTo(8);
        for (var p : files) {
            assertRoundTrip(p, Files.readAllBytes(p));
        }
    }

    @Test
    void bytesThatAreNotUtf8ComeBackAsTheyWere() {
        var hex = HexFormat.of();
        // Latin-1 "é", Shift-JIS "設定", bytes that are no encoding's, NUL and DEL, CRLF, no final newline
        var bytes = concat("! caf".getBytes(StandardCharsets.US_ASCII), hex.parseHex("e9"),
                " \u0000\u007f\r\n# ".getBytes(StandardCharsets.US_ASCII), hex.parseHex("90dd92e8"),
                "\nvirtual_server 192.0.2.1 80 { # ".getBytes(StandardCharsets.US_ASCII), hex.parseHex("fffec0af"),
                "\n    real_server 198.51.100.1 80 {\r\n    }\n}".getBytes(StandardCharsets.US_ASCII));
        assertRoundTrip(Path.of("latin.conf"), bytes);
        var tree = SyntaxTree.parse(Path.of("latin.conf"), bytes, "");
        assertThat(tree.root().children()).singleElement().isInstanceOfSatisfying(Block.class,
                b -> assertThat(b.children()).singleElement().isInstanceOf(Block.class));
    }

    @Test
    void linesTheSemanticReaderTreatsSpeciallyAreOpaque() {
        var text = """
                $ADDR=192.0.2.1
                $SERVERS=real_server 198.51.100.1 80 { \\
                    weight 2 \\
                }
                  @other   virtual_server 192.0.2.9 80 {
                @^mine priority 5
                ~SEQ(N, 1, 3)
                include conf.d/*.conf
                @mine weight 3
                virtual_server $ADDR 80 {
                    $SERVERS
                }
                """;
        var tree = SyntaxTree.parse(Path.of("p.conf"), text.getBytes(StandardCharsets.ISO_8859_1), "mine");
        var kids = tree.root().children();
        assertThat(kids).hasSize(8);
        assertThat(kids.subList(0, 6)).allMatch(n -> n instanceof Opaque);
        assertThat(((Opaque) kids.get(1)).token().text()).endsWith("}").contains("weight 2");
        assertThat(kids.get(6)).isInstanceOfSatisfying(Statement.class, s -> {
            assertThat(s.conditional()).isTrue();
            assertThat(s.name()).isEqualTo("weight");
        });
        assertThat(kids.get(7)).isInstanceOfSatisfying(Block.class, b -> assertThat(b.children()).hasSize(1));
        assertThat(tree.text()).isEqualTo(text);
    }

    /// keepalived's `is_include` and `check_definition` decide; a near miss is an ordinary statement.
    @Test
    void onlyWhatKeepalivedTakesForAnIncludeOrADefinitionIsOpaque() {
        var text = "includer a.conf\nincludew\tb.conf\ninclude\nincludex c.conf\n$A=1\n$B =2\n$3=x\n";
        var kids = SyntaxTree.parse(Path.of("i.conf"), text.getBytes(StandardCharsets.ISO_8859_1), "").root()
                .children();
        assertThat(kids).hasSize(7);
        assertThat(kids).map(n -> n instanceof Opaque).containsExactly(true, true, false, false, true, false, false);
    }

    @Test
    void bracesOnAnyLineAndBracesThatCloseNothingAreKept() {
        var text = "}\nvrrp_instance VI_1\n{\n  virtual_ipaddress{ 192.0.2.1 }  } }\n\"unterminated {\n{{\n";
        assertRoundTrip(Path.of("odd.conf"), text.getBytes(StandardCharsets.ISO_8859_1));
        var tree = SyntaxTree.parse(Path.of("odd.conf"), text.getBytes(StandardCharsets.ISO_8859_1), "");
        assertThat(tree.root().children().get(1)).isInstanceOfSatisfying(Block.class, b -> {
            assertThat(b.name()).isEqualTo("vrrp_instance");
            assertThat(b.children()).singleElement().isInstanceOf(Block.class);
        });
    }

    /// Random blanks, comments, blank lines, CRLF, braces and quotes put into every fixture: the
    /// tree still prints the mutated bytes exactly, and mutations of trivia alone keep the blocks.
    @Test
    void mutatedFilesComeBackByteForByte() throws IOException {
        var random = new Random(21);
        var files = new ArrayList<>(fixtures());
        if (Files.isDirectory(SHARED_SAMPLES) || Files.isDirectory(DEBIAN_SAMPLES)) {
            files.addAll(samples());
        }
        String[] trivia = {" ", "\t", "\n", "\r\n", "\n\n", " ! note\n", "# é\n", "\u000b", "  # x { } \"\n"};
        String[] hostile = {"{", "}", "\"", "\\", "@high ", "$X=1\\\n", "include ", "\u0000", "\u00ff"};
        for (var file : files) {
            var text = Files.readString(file, StandardCharsets.ISO_8859_1);
            var blocks = blocks(SyntaxTree.parse(file, text.getBytes(StandardCharsets.ISO_8859_1), "").root());
            for (int round = 0; round < 20; round++) {
                var triviaOnly = new StringBuilder(text);
                var anything = new StringBuilder(text);
                for (int m = 0; m < 8; m++) {
                    int at = lineStartOrBlank(triviaOnly, random);
                    triviaOnly.insert(at, trivia[random.nextInt(trivia.length)]);
                    var pool = random.nextBoolean() ? trivia : hostile;
                    anything.insert(random.nextInt(anything.length() + 1), pool[random.nextInt(pool.length)]);
                }
                var t = triviaOnly.toString().getBytes(StandardCharsets.ISO_8859_1);
                assertRoundTrip(file, t);
                // (a line put between the lines of a `\`-continued definition ends it: not trivia there)
                if (!text.contains("\\\n")) {
                    assertThat(blocks(SyntaxTree.parse(file, t, "").root())).as("%s: blocks after trivia", file)
                            .isEqualTo(blocks);
                }
                assertRoundTrip(file, anything.toString().getBytes(StandardCharsets.ISO_8859_1));
            }
        }
    }

    /// A place where trivia can go without changing a token: a line start or next to a blank,
    /// outside quotes.
    private static int lineStartOrBlank(CharSequence text, Random random) {
        for (int tries = 0; tries < 50; tries++) {
            int at = random.nextInt(text.length() + 1);
            if (at == 0 || text.charAt(at - 1) == '\n') {
                return at;
            }
        }
        return 0;
    }

    private static List<String> blocks(Block block) {
        var out = new ArrayList<String>();
        for (var c : block.children()) {
            if (c instanceof Block b) {
                out.add(b.name() + "{");
                out.addAll(blocks(b));
                out.add("}");
            }
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (var p : parts) {
            n += p.length;
        }
        var out = new byte[n];
        int at = 0;
        for (var p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
