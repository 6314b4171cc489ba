package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/// Random and mutated inputs: the lexer, parser and validator only ever throw [ConfigException],
/// and everything that loads also writes and loads again.
class ConfigFuzzTest {

    private static final long SEED = 0x5eed_c0f1L;
    /// Fixed counts, not a time budget: on a loaded machine a budget ran out after a few dozen
    /// cases and the test failed for the machine's sake (timing belongs in bench/).
    private static final int MUTATIONS = 1500;
    private static final int RANDOM_TEXTS = 500;
    private static final String[] FRAGMENTS = {"{", "}", "\"", "!", "#", "\n", " ", "\\", "include ", "@x ",
            "vrrp_instance", "virtual_server", "real_server", "HTTP_GET", "url", "priority", "255", "-1", "0.5",
            "192.0.2.1", "::", "fwmark", "group", "weight", "999999999999", "\u0000", "é", "\t"};

    private static List<String> corpus() throws IOException {
        var list = new ArrayList<String>();
        for (var f : Fixtures.all()) {
            if (!f.file().toString().contains("includes")) {
                list.add(Files.readString(f.file()));
            }
        }
        return list;
    }

    private static void check(String input, String what) {
        try {
            var loaded = ConfigLoader.parse(Path.of("fuzz.conf"), input);
            // What loads must survive the writer and the JSON form too.
            var again = ConfigLoader.parse(Path.of("fuzz.conf"), ConfigWriter.write(loaded.config()));
            assertThat(again.config()).as("round trip of %s", what).isEqualTo(loaded.config());
            ConfigJson.fromJson(ConfigJson.toJson(loaded.config()), Path.of("fuzz.json"));
        } catch (ConfigException expected) {
            assertThat(expected.errors()).as("a refusal names at least one error").isNotEmpty();
        } catch (RuntimeException | StackOverflowError e) {
            fail("%s threw %s on input:%n%s", what, e, input.length() > 2000 ? input.substring(0, 2000) : input);
        }
    }

    @Test
    void mutatedConfigurationsOnlyEverFailWithConfigException() throws IOException {
        var rnd = new SplittableRandom(SEED);
        var corpus = corpus();
        for (int cases = 0; cases < MUTATIONS; cases++) {
            var base = new StringBuilder(corpus.get(rnd.nextInt(corpus.size())));
            int edits = 1 + rnd.nextInt(6);
            for (int e = 0; e < edits && !base.isEmpty(); e++) {
                int at = rnd.nextInt(base.length());
                switch (rnd.nextInt(5)) {
                    case 0 -> base.deleteCharAt(at);
                    case 1 -> base.insert(at, FRAGMENTS[rnd.nextInt(FRAGMENTS.length)]);
                    case 2 -> base.setCharAt(at, (char) rnd.nextInt(32, 127));
                    case 3 -> {
                        int len = Math.min(base.length() - at, rnd.nextInt(40));
                        base.insert(rnd.nextInt(base.length()), base.substring(at, at + len));
                    }
                    default -> base.delete(at, Math.min(base.length(), at + rnd.nextInt(30)));
                }
            }
            check(base.toString(), "mutation " + cases);
        }
    }

    @Test
    void randomTextOnlyEverFailsWithConfigException() {
        var rnd = new SplittableRandom(SEED + 1);
        for (int cases = 0; cases < RANDOM_TEXTS; cases++) {
            var sb = new StringBuilder();
            int n = rnd.nextInt(1, 60);
            for (int i = 0; i < n; i++) {
                if (rnd.nextBoolean()) {
                    sb.append(FRAGMENTS[rnd.nextInt(FRAGMENTS.length)]);
                } else {
                    sb.append((char) rnd.nextInt(0, 0x3000));
                }
            }
            check(sb.toString(), "random " + cases);
        }
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        check("a {".repeat(20_000) + "}".repeat(20_000), "deep nesting");
        check("{".repeat(50_000), "open braces");
        check("}".repeat(50_000), "close braces");
    }

    @Test
    void mutatedJsonOnlyEverFailsWithConfigException() throws ConfigException {
        var json = ConfigJson.toJson(ConfigLoader.load(Fixtures.resource("examples/full.conf"), "").config());
        var rnd = new SplittableRandom(SEED + 2);
        for (int i = 0; i < 1000; i++) {
            var sb = new StringBuilder(json);
            int at = rnd.nextInt(sb.length());
            switch (rnd.nextInt(3)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, "\"x\"");
                default -> sb.setCharAt(at, (char) rnd.nextInt(32, 127));
            }
            try {
                ConfigJson.fromJson(sb.toString(), Path.of("f.json"));
            } catch (ConfigException expected) {
                assertThat(expected.errors()).isNotEmpty();
            } catch (RuntimeException | StackOverflowError e) {
                fail("JSON mutation %d threw %s", i, e);
            }
        }
    }
}
