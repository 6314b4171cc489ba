package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// A load that reuses the previous load's `virtual_server` blocks ([ParseCache], the agent's
/// reload) gives what a load from scratch gives: the same model, the same warnings at the same
/// `file:line:col`, or the same errors.
class IncrementalParseTest {

    static final String CONFIG_ID = "incremental";
    static final List<Path> SHARED = List.of(Path.of("/work/shared/keepalived-samples"), Path.of("/work/shared/seed"));
    static final Path CORPUS = Path.of("src/test/resources/corpus").toAbsolutePath();

    @TempDir
    Path dir;

    /// What a load gave, comparable: the model and its warnings, or the errors.
    record Outcome(KeepalivedConfig config, List<Diagnostic> findings) {
    }

    static Outcome load(Path file, ParseCache cache) {
        try {
            var loaded = ConfigLoader.load(file, CONFIG_ID, cache);
            return new Outcome(loaded.config(), loaded.warnings());
        } catch (ConfigException e) {
            return new Outcome(null, e.diagnostics());
        }
    }

    /// Loads `file` with `cache` and from scratch, and compares.
    static Outcome sameAsFullParse(Path file, ParseCache cache, String what) {
        var incremental = load(file, cache);
        var full = load(file, null);
        assertThat(incremental.findings()).as(what).containsExactlyElementsOf(full.findings());
        assertThat(incremental.config()).as(what).isEqualTo(full.config());
        return incremental;
    }

    @Test
    void randomOneBlockChangesOfAGeneratedFileParseAsAFullParseDoes() throws IOException {
        var random = new Random(17);
        var file = dir.resolve("keepalived.conf");
        var blocks = new ArrayList<String>();
        for (int v = 0; v < 60; v++) {
            blocks.add(virtualServer(v, 1 + v % 7, random));
        }
        write(file, blocks);
        var cache = new ParseCache();
        // the revision's text, written again only for the blocks parsed again
        Map<VirtualServerDef, String> written = new IdentityHashMap<>();
        ConfigWriter.write(sameAsFullParse(file, cache, "first load").config(), Map.of(), written);
        int reused = 0;
        for (int round = 0; round < 150; round++) {
            int i = random.nextInt(blocks.size());
            var before = blocks.get(i);
            var what = switch (random.nextInt(8)) {
                case 0 -> { // a weight: the bench's reload
                    blocks.set(i, before.replaceFirst("weight \\d+", "weight " + (1 + random.nextInt(100))));
                    yield "weight";
                }
                case 1 -> { // a real server added: the blocks below move down
                    blocks.set(i, before.replaceFirst("\n}\n$", "\n    real_server 192.0.2." + (100 + round % 100)
                            + " " + (9000 + round) + " {\n        weight 3\n    }\n}\n"));
                    yield "real server added";
                }
                case 2 -> { // a real server removed: the blocks below move up
                    blocks.set(i, before.replaceFirst("(?s)    real_server [^{]*\\{\n        weight \\d+\n    }\n", ""));
                    yield "real server removed";
                }
                case 3 -> { // a finding: a kept keyword with a warning, at a position that moves
                    blocks.set(i, before.replaceFirst("\n    lb_kind", "\n    nat_mask 255.255.255.0\n    lb_kind"));
                    yield "warning added";
                }
                case 4 -> { // an error in one block
                    blocks.set(i, before.replaceFirst("weight \\d+", "weight many"));
                    yield "error";
                }
                case 5 -> { // a whole virtual server added
                    blocks.add(i, virtualServer(1000 + round, 1 + random.nextInt(4), random));
                    yield "virtual server added";
                }
                case 6 -> { // one removed
                    blocks.remove(i);
                    yield "virtual server removed";
                }
                default -> { // a copy: the same text twice (the second is a duplicate and an error)
                    blocks.add(i, before);
                    yield "duplicate";
                }
            };
            write(file, blocks);
            var loaded = sameAsFullParse(file, cache, "round " + round + ": " + what + " at block " + i);
            reused += cache.reused();
            if (loaded.config() != null) {
                var next = new IdentityHashMap<VirtualServerDef, String>();
                assertThat(ConfigWriter.write(loaded.config(), written, next)).as("round " + round)
                        .isEqualTo(ConfigWriter.write(loaded.config()));
                written = next;
            }
            if (what.equals("error") || what.equals("duplicate")) {
                blocks.set(i, before); // put it right, so that later rounds load
                if (what.equals("duplicate")) {
                    blocks.remove(i + 1);
                }
                write(file, blocks);
                sameAsFullParse(file, cache, "round " + round + ": put back");
            }
        }
        assertThat(reused).as("blocks reused over the rounds").isGreaterThan(150 * 40);
    }

    /// A block without findings is reused where it moved, its positions moved with it (the
    /// validator's error below is at the moved real server's line); one with a warning is parsed
    /// again, since a message may quote a line number.
    @Test
    void movedBlocksKeepTheirPositions() throws IOException {
        var file = dir.resolve("keepalived.conf");
        var warned = "virtual_server 192.0.2.1 80 {\n    nat_mask 255.255.255.0\n    protocol TCP\n"
                + "    real_server 198.51.100.1 80 {\n    }\n}\n";
        var clean = "virtual_server 192.0.2.2 80 {\n    protocol TCP\n    real_server 198.51.100.1 80 {\n    }\n"
                + "    real_server 198.51.100.1 80 {\n        weight 2\n    }\n}\n";
        Files.writeString(file, warned + clean);
        var cache = new ParseCache();
        var first = load(file, cache);
        Files.writeString(file, "! two lines\n! above them\n" + warned + clean);
        var moved = load(file, cache);

        assertThat(cache.reused()).isEqualTo(1);
        assertThat(cache.parsed()).isEqualTo(1);
        assertThat(first.findings()).extracting(Diagnostic::isError).containsExactly(false, true);
        assertThat(moved.findings()).extracting(d -> d.position().line())
                .containsExactlyElementsOf(first.findings().stream().map(d -> d.position().line() + 2).toList());
        sameAsFullParse(file, cache, "moved");
    }

    /// The brace that opens a block may stand on the line after its last word: the block's
    /// text runs to the next block, so moving that brace changes it.
    @Test
    void aBraceOnTheNextLineIsPartOfTheBlock() throws IOException {
        var file = dir.resolve("keepalived.conf");
        var head = "virtual_server 192.0.2.1 80 {\n    protocol TCP\n    real_server 198.51.100.1 80\n";
        var next = "virtual_server 192.0.2.2 80 {\n    protocol TCP\n}\n";
        var cache = new ParseCache();
        Files.writeString(file, head + "    {\n        weight 3\n    }\n}\n" + next);
        sameAsFullParse(file, cache, "brace on the next line");
        Files.writeString(file, head + "    {\n    }\n}\n" + next);
        sameAsFullParse(file, cache, "an empty block");
        Files.writeString(file, head + "}\n" + next);
        sameAsFullParse(file, cache, "no block");
        assertThat(cache.reused()).isEqualTo(1);
    }

    @Test
    void includedFilesChangedOrAddedParseAsAFullParseDoes() throws IOException {
        var confd = Files.createDirectories(dir.resolve("conf.d"));
        var file = dir.resolve("keepalived.conf");
        Files.writeString(file, "global_defs {\n    router_id incremental\n}\ninclude conf.d/*.conf\n");
        var random = new Random(3);
        Files.writeString(confd.resolve("a.conf"), virtualServer(1, 3, random) + virtualServer(2, 2, random));
        Files.writeString(confd.resolve("b.conf"), virtualServer(3, 4, random));
        var cache = new ParseCache();
        sameAsFullParse(file, cache, "first load");

        // a block in an included file changed
        Files.writeString(confd.resolve("b.conf"), virtualServer(3, 4, random).replaceFirst("weight \\d+", "weight 77"));
        sameAsFullParse(file, cache, "included block changed");
        assertThat(cache.reused()).isEqualTo(2);

        // the include list changed: a file more, read before the others
        Files.writeString(confd.resolve("0.conf"), virtualServer(4, 1, random));
        sameAsFullParse(file, cache, "file added");
        assertThat(cache.reused()).isEqualTo(3);

        // the same blocks moved into the main file (other file: parsed again, with its own positions)
        Files.writeString(file, Files.readString(file).replace("include conf.d/*.conf\n", "")
                + Files.readString(confd.resolve("a.conf")));
        sameAsFullParse(file, cache, "blocks moved to another file");

        // an include inside a block: its words come from two files, so it is parsed every time
        Files.writeString(confd.resolve("rs.inc"), "    real_server 198.51.100.9 80 {\n        weight 2\n    }\n");
        Files.writeString(file, "virtual_server 192.0.2.9 80 {\n    lb_kind NAT\n    include conf.d/rs.inc\n}\n");
        sameAsFullParse(file, cache, "include inside a block");
        Files.writeString(confd.resolve("rs.inc"), "    real_server 198.51.100.9 80 {\n        weight 5\n    }\n");
        sameAsFullParse(file, cache, "the included part changed");
        assertThat(cache.reused()).isZero();
    }

    @Test
    void parametersDefinedAboveABlockParseAsAFullParseDoes() throws IOException {
        var file = dir.resolve("keepalived.conf");
        var block = "virtual_server 192.0.2.1 80 {\n    real_server 198.51.100.1 80 {\n        weight $W\n    }\n}\n";
        Files.writeString(file, "$W=3\n" + block);
        var cache = new ParseCache();
        sameAsFullParse(file, cache, "first");
        Files.writeString(file, "$W=4\n" + block);
        sameAsFullParse(file, cache, "parameter changed");
        assertThat(load(file, null).config().virtualServers().getFirst().realServers().getFirst().weight())
                .isEqualTo(4);
    }

    /// keepalived's samples, the seed and the project's corpus: each loaded again with the cache
    /// its first load filled, then again with every line moved down by a comment at the top.
    @Test
    void samplesParseAsAFullParseDoes() throws IOException {
        var files = new ArrayList<Path>();
        for (var d : SHARED) {
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("README.md"))
                            .forEach(files::add);
                }
            }
        }
        try (Stream<Path> s = Files.list(CORPUS)) {
            s.filter(p -> p.getFileName().toString().endsWith(".conf")).forEach(files::add);
        }
        assertThat(files).hasSizeGreaterThan(50);
        int withServers = 0;
        for (var f : files) {
            var cache = new ParseCache();
            sameAsFullParse(f, cache, f + " first");
            sameAsFullParse(f, cache, f + " again");
            withServers += cache.reused() > 0 ? 1 : 0;
            // a copy in the temporary directory (an include relative to the original then fails
            // alike in both loads)
            var moved = dir.resolve(f.getFileName());
            var text = Files.readString(f, StandardCharsets.ISO_8859_1);
            Files.writeString(moved, "! moved\n" + text, StandardCharsets.ISO_8859_1);
            var warm = new ParseCache();
            sameAsFullParse(moved, warm, moved + " first");
            Files.writeString(moved, "! moved\n! again\n" + text, StandardCharsets.ISO_8859_1);
            sameAsFullParse(moved, warm, moved + " moved down");
        }
        assertThat(withServers).as("files whose virtual servers were reused").isGreaterThan(10);
    }

    private static String virtualServer(int v, int servers, Random random) {
        var out = new StringBuilder("virtual_server 203.0.113." + (1 + v % 250) + " " + (1000 + v / 250) + " {\n"
                + "    delay_loop 6\n    lb_algo wrr\n    lb_kind NAT\n    protocol TCP\n");
        for (int r = 0; r < servers; r++) {
            out.append("    real_server 198.51.100.").append(1 + (v + r) % 250).append(' ').append(8000 + r)
                    .append(" {\n        weight ").append(1 + random.nextInt(10)).append("\n    }\n");
        }
        return out.append("}\n").toString();
    }

    private static void write(Path file, List<String> blocks) throws IOException {
        Files.writeString(file, "global_defs {\n    router_id incremental\n}\n" + String.join("", blocks));
    }
}
