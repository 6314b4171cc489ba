package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/// What keeps a large file's tokens small ([Words], [SourceLine]'s columns without an array)
/// changes nothing they say: texts and positions are those of the file.
class LargeFileReadingTest {

    private static final Path FILE = Path.of("/etc/keepalived/keepalived.conf");

    @Test
    void aWordRepeatedThroughTheFileIsOneString() throws Exception {
        var text = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            text.append("real_server 198.51.100.").append(i % 250).append(' ').append(i).append(" {\n  weight 1\n}\n");
        }
        var tokens = SourceReader.load(FILE, text.toString(), Map.of(), "x").tokens();
        var distinct = tokens.stream().map(Token::text).collect(Collectors.toSet());
        var instances = new IdentityHashMap<String, Boolean>();
        tokens.forEach(t -> instances.put(t.text(), true));
        assertThat(distinct).hasSizeGreaterThan(3000);
        assertThat(instances).hasSameSizeAs(distinct);
        assertThat(tokens.get(10 * 2999)).satisfies(t -> {
            assertThat(t.text()).isEqualTo("real_server");
            assertThat(t.position()).isEqualTo(new Position(FILE, 3 * 2999 + 1, 1));
        });
        assertThat(tokens.get(10 * 2999 + 2).text()).isEqualTo("2999");
    }

    @Test
    void wordsAreFoundAgainAfterTheTableGrows() {
        var words = new Words();
        var first = new HashSet<String>();
        for (int i = 0; i < 5000; i++) {
            var line = "x" + i + " ";
            var w = words.of(line, 0, line.length() - 1);
            assertThat(w).isEqualTo("x" + i);
            first.add(w);
        }
        for (int i = 0; i < 5000; i++) {
            var again = words.of("  x" + i, 2, 2 + ("x" + i).length());
            assertThat(first.stream().anyMatch(w -> w == again)).as("x%d", i).isTrue();
        }
    }

    @Test
    void positionsOfPlainAndCommentedLinesAreTheFileColumns() throws Exception {
        var text = "  \tvirtual_server 192.0.2.1 80 {   \n    delay_loop 6 # six\n  \"quoted word\" x\n}\n";
        var tokens = SourceReader.load(FILE, text, Map.of(), "x").tokens();
        assertThat(tokens).extracting(t -> t.text() + "@" + t.position().line() + ":" + t.position().column())
                .containsExactly("virtual_server@1:4", "192.0.2.1@1:19", "80@1:29", "{@1:32", "@1:36",
                        "delay_loop@2:5", "6@2:16", "@2:23",
                        "quoted word@3:3", "x@3:17", "@3:18",
                        "}@4:1", "@4:2");
    }
}
