package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/// docs/configuration.md lists every keyword keepalived has, so a keyword added to the parser's
/// lists without documentation fails here.
class ConfigurationDocTest {

    @Test
    void everyKnownKeywordIsDocumented() throws IOException {
        var doc = Files.readString(Path.of("../docs/configuration.md"));
        for (Set<String> set : List.of(Keywords.TOP_LEVEL, Keywords.GLOBAL_DEFS, Keywords.VRRP_INSTANCE,
                Keywords.AUTHENTICATION, Keywords.SYNC_GROUP, Keywords.VRRP_SCRIPT, Keywords.VIRTUAL_SERVER,
                Keywords.REAL_SERVER, Keywords.CHECKER_COMMON, Keywords.HTTP_CHECKER, Keywords.URL,
                Keywords.MISC_CHECKER, Keywords.DNS_CHECKER)) {
            for (var keyword : set) {
                assertThat(doc).as("docs/configuration.md documents %s", keyword).contains("| `" + keyword + "` |");
            }
        }
    }
}
