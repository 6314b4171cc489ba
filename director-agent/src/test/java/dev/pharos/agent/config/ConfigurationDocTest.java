package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/// The "Keywords" tables of docs/configuration.md against the parser's keyword lists: each table
/// lists exactly the keywords of its block — a keyword added to [Keywords] without a row fails
/// here, and so does a row whose keyword column is not a keyword (a sentence, a typo).
class ConfigurationDocTest {

    /// The checker blocks a real_server takes (its upper-case keywords).
    private static final Set<String> CHECKER_BLOCKS = Keywords.REAL_SERVER.stream()
            .filter(k -> k.equals(k.toUpperCase())).collect(Collectors.toSet());

    private static final Map<String, Set<String>> TABLES = tables();

    private static Map<String, Set<String>> tables() {
        var t = new LinkedHashMap<String, Set<String>>();
        t.put("Top level", Keywords.TOP_LEVEL);
        t.put("global_defs", Keywords.GLOBAL_DEFS);
        t.put("bfd_instance", Keywords.BFD_INSTANCE);
        t.put("vrrp_script", Keywords.VRRP_SCRIPT);
        t.put("vrrp_sync_group", Keywords.SYNC_GROUP);
        t.put("vrrp_instance", Keywords.VRRP_INSTANCE);
        t.put("vrrp_instance → authentication", Keywords.AUTHENTICATION);
        t.put("vrrp_instance → auth_hmac", Keywords.AUTH_HMAC);
        t.put("virtual_server", Keywords.VIRTUAL_SERVER);
        t.put("real_server", Keywords.REAL_SERVER);
        t.put("Every checker block (HTTP_GET, SSL_GET, TCP_CHECK, MISC_CHECK, DNS_CHECK)", Keywords.CHECKER_COMMON);
        t.put("HTTP_GET / SSL_GET", Keywords.HTTP_CHECKER);
        t.put("HTTP_GET / SSL_GET → url", Keywords.URL);
        t.put("MISC_CHECK", Keywords.MISC_CHECKER);
        t.put("DNS_CHECK", Keywords.DNS_CHECKER);
        t.put("Checker blocks", CHECKER_BLOCKS);
        return t;
    }

    private static final Pattern ROW = Pattern.compile("^\\| ([^|]+) \\|");
    private static final Pattern WORD = Pattern.compile("`([^`]+)`");

    /// Keyword column of every table row under "## Keywords", per `###` heading.
    private static Map<String, Set<String>> documented() throws IOException {
        var doc = Files.readString(Path.of("../docs/configuration.md"));
        var start = doc.indexOf("\n## Keywords\n");
        var end = doc.indexOf("\n## ", start + 1);
        var out = new LinkedHashMap<String, Set<String>>();
        String heading = null;
        for (var line : doc.substring(start, end).split("\n")) {
            if (line.startsWith("### ")) {
                heading = line.substring(4).trim();
                out.put(heading, new TreeSet<>());
                continue;
            }
            var row = ROW.matcher(line);
            if (heading == null || !row.find() || line.startsWith("|---") || line.startsWith("| keyword ")
                    || line.startsWith("| block ")) {
                continue;
            }
            var cell = row.group(1).trim();
            assertThat(cell).as("keyword cell under %s", heading).matches("`[^`]+`(, `[^`]+`)*");
            var words = WORD.matcher(cell);
            while (words.find()) {
                out.get(heading).add(words.group(1));
            }
        }
        return out;
    }

    @Test
    void everyTableListsExactlyItsBlocksKeywords() throws IOException {
        var documented = documented();
        assertThat(documented.keySet()).as("tables under ## Keywords").containsExactlyElementsOf(TABLES.keySet());
        TABLES.forEach((heading, keywords) -> assertThat(documented.get(heading))
                .as("docs/configuration.md table '%s' against the parser's list", heading)
                .containsExactlyInAnyOrderElementsOf(new TreeSet<>(keywords)));
    }
}
