package dev.pharos.agent.config.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.config.ConfigEdits;
import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.VirtualServerDef;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/// Edits on every configuration the tests know (samples and fixtures) and on random trivia
/// mutations of them: a weight changes exactly one line, and a real server added then removed
/// leaves the file byte for byte as it was.
class LosslessEditFuzzTest {

    static final Path FILE = Path.of("/etc/keepalived/fuzz.conf");

    record Loaded(String text, String configId, KeepalivedConfig config) {
    }

    /// The single-file configurations Pharos loads, with the config id they load with.
    static List<Loaded> corpus() throws IOException {
        var files = new ArrayList<>(SyntaxTreeTest.fixtures());
        if (Files.isDirectory(SyntaxTreeTest.SHARED_SAMPLES) || Files.isDirectory(SyntaxTreeTest.DEBIAN_SAMPLES)) {
            files.addAll(SyntaxTreeTest.samples());
        }
        var out = new ArrayList<Loaded>();
        for (var p : files) {
            var text = Files.readString(p, StandardCharsets.ISO_8859_1);
            if (text.contains("include")) {
                continue;
            }
            for (var id : SyntaxTreeTest.CONFIG_IDS) {
                var loaded = load(text, id);
                if (loaded != null && !loaded.config().virtualServers().isEmpty()) {
                    out.add(loaded);
                    break;
                }
            }
        }
        return out;
    }

    static Loaded load(String text, String configId) {
        try {
            return new Loaded(text, configId, ConfigLoader.locate(FILE, Map.of(FILE, text), configId).config());
        } catch (ConfigException e) {
            return null;
        }
    }

    static String write(Loaded l, ConfigEdits.Edit edit) throws Exception {
        var written = LosslessEditor.write(FILE, Map.of(FILE, l.text().getBytes(StandardCharsets.ISO_8859_1)),
                l.configId(), l.config(), edit);
        var bytes = written.changed().get(FILE);
        return bytes == null ? l.text() : new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Test
    void editsOnEveryCorpusFileAndItsMutationsTouchOnlyTheirLines() throws Exception {
        var corpus = corpus();
        assertThat(corpus).as("configurations with virtual servers").hasSizeGreaterThanOrEqualTo(3);
        var random = new Random(2121);
        String[] trivia = {" ", "\t", "\n", "\n\n", " ! a note\n", "# more { } \"\n"};
        int edits = 0;
        for (var original : corpus) {
            var versions = new ArrayList<Loaded>();
            versions.add(original);
            // a line put between the lines of a `\`-continued definition would end it: not trivia there
            for (int round = 0; round < (original.text().contains("\\\n") ? 0 : 5); round++) {
                var mutated = new StringBuilder(original.text());
                for (int m = 0; m < 6; m++) {
                    int at = random.nextInt(mutated.length() + 1);
                    while (at > 0 && mutated.charAt(at - 1) != '\n') {
                        at--;
                    }
                    mutated.insert(at, trivia[random.nextInt(trivia.length)]);
                }
                var loaded = load(mutated.toString(), original.configId());
                assertThat(loaded).as("trivia keeps %s loading", original.text().lines().findFirst()).isNotNull();
                versions.add(loaded);
            }
            for (var v : versions) {
                for (var vs : v.config().virtualServers()) {
                    for (var rs : vs.realServers()) {
                        int weight = rs.weight() == null ? 1 : rs.weight();
                        String out;
                        try {
                            out = write(v, ConfigEdits.updateRealServer(v.config(), vs.id(), rs.id(), weight + 1, null));
                        } catch (LosslessEditException e) {
                            // refused only for what the file writes with a parameter or for one config id
                            assertThat(e.reason()).isEqualTo(LosslessEditException.Reason.NOT_WRITABLE);
                            assertThat(e.getMessage()).containsAnyOf("$NAME", "config id");
                            continue;
                        }
                        assertOneLine(v.text(), out, "weight " + (weight + 1));
                        edits++;
                    }
                    if (v.text().contains("$")) {
                        continue;
                    }
                    var added = ConfigEdits.addRealServer(v.config(), vs.id(), newAddress(vs), null, 3, false);
                    var withIt = write(v, added);
                    var again = load(withIt, v.configId());
                    assertThat(again).isNotNull();
                    var removed = write(again, ConfigEdits.removeRealServer(again.config(), vs.id(),
                            added.config().virtualServers().stream().filter(x -> x.id().equals(vs.id())).findFirst()
                                    .orElseThrow().realServers().getLast().id()));
                    assertThat(removed).as("added then removed in %s", vs.id()).isEqualTo(v.text());
                    edits++;
                }
            }
        }
        assertThat(edits).isGreaterThan(100);
    }

    /// An address of the service's family that no sample uses.
    static InetAddress newAddress(VirtualServerDef vs) throws IOException {
        boolean v6 = !vs.realServers().isEmpty() ? vs.realServers().getFirst().address() instanceof Inet6Address
                : vs.key() instanceof VirtualServerDef.Key.Address a && a.address() instanceof Inet6Address;
        return InetAddress.getByName(v6 ? "2001:db8::250" : "203.0.113.250");
    }

    /// `after` is `before` with lines changed to ones holding `expected` (one, or each line of a
    /// setting written twice), or one such line added.
    static void assertOneLine(String before, String after, String expected) {
        var a = before.split("\n", -1);
        var b = after.split("\n", -1);
        var changed = new ArrayList<String>();
        if (a.length == b.length) {
            for (int i = 0; i < a.length; i++) {
                if (!a[i].equals(b[i])) {
                    changed.add(b[i]);
                }
            }
        } else {
            assertThat(b.length).as("one line added").isEqualTo(a.length + 1);
            int i = 0;
            while (i < a.length && a[i].equals(b[i])) {
                i++;
            }
            changed.add(b[i]);
            for (int j = i; j < a.length; j++) {
                assertThat(b[j + 1]).isEqualTo(a[j]);
            }
        }
        assertThat(changed).as("changed lines").isNotEmpty().allMatch(line -> line.contains(expected));
    }
}
