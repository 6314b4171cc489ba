package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/// Random parameter definitions and uses (multi-line, recursive, in `~SEQ`/`~LST`, with `@ID`
/// and includes): reading only ever fails with [ConfigException], and always ends, also where
/// keepalived would loop for ever (`$A=$A`).
class ParameterFuzzTest {

    private static final long SEED = 0x9a7a_5eedL;
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final long BUDGET_NANOS = 20_000_000_000L;
    private static final String[] NAMES = {"A", "B", "C", "i", "_PWD", "_HASH", "_RANDOM", "_INSTANCE"};
    private static final String[] FRAGMENTS = {"$A", "$B", "${A}", "${B}", "${C}", "$C", "$", "${", "{", "}", "\\",
            " ", "\t", ",", ")", "(", "\"", "#", "!", "\\#", "$i", "${i}", "~SEQ(i, 3) ", "~SEQx(i, 0x2, 0x5) ",
            "~SEQ(i, $A) ", "~SEQ(i, 5, -2, 1) ", "~LST(A, 1, 2) ", "~LST({A,B},{1,2},{3}) ", "@lb1 ", "@^lb1 ", "@ ",
            "${_RANDOM 1 3}", "${_RANDOM}", "${_PWD}", "${_HASH}", "$_BANG", "${_INSTANCE}", "include ", "includew ",
            "k", "priority", "vrrp_instance", "192.0.2.1", "é", "\u0090", "~"};

    private static String text(SplittableRandom rnd) {
        var text = new StringBuilder();
        int lines = 1 + rnd.nextInt(12);
        for (int l = 0; l < lines; l++) {
            if (rnd.nextInt(10) < 4) {
                text.append('$').append(NAMES[rnd.nextInt(NAMES.length)]).append('=');
            }
            int n = rnd.nextInt(7);
            for (int f = 0; f < n; f++) {
                text.append(FRAGMENTS[rnd.nextInt(FRAGMENTS.length)]);
            }
            if (rnd.nextInt(5) == 0) {
                text.append(" \\");
            }
            text.append(rnd.nextInt(8) == 0 ? "\n\n" : "\n");
        }
        return text.toString();
    }

    private static void check(String input) {
        try {
            var source = SourceReader.load(Path.of("/nowhere/fuzz.conf"), input, Map.of(), "lb1");
            assertThat(source.tokens()).allSatisfy(t -> assertThat(t.position()).isNotNull());
            ConfigLoader.parse(Path.of("/nowhere/fuzz.conf"), input, "lb1");
        } catch (ConfigException expected) {
            assertThat(expected.errors()).as("a refusal names at least one error").isNotEmpty();
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            fail("threw %s on input:%n%s", e, input);
        }
    }

    @Test
    void randomDefinitionsAndUsesOnlyEverFailWithConfigExceptionAndEnd() {
        assertTimeoutPreemptively(DEADLINE, () -> {
            var rnd = new SplittableRandom(SEED);
            var start = System.nanoTime();
            int cases = 0;
            while (cases < 20_000 && System.nanoTime() - start < BUDGET_NANOS) {
                check(text(rnd));
                cases++;
            }
            assertThat(cases).isGreaterThan(100);
        });
    }

    @Test
    void definitionsThatUseEachOtherEndWithAResultOrAnError() {
        assertTimeoutPreemptively(DEADLINE, () -> {
            var rnd = new SplittableRandom(SEED + 1);
            for (int c = 0; c < 2000; c++) {
                var text = new StringBuilder();
                int defs = 1 + rnd.nextInt(4);
                for (int d = 0; d < defs; d++) {
                    text.append("$D").append(d).append('=');
                    int uses = rnd.nextInt(4);
                    for (int u = 0; u < uses; u++) {
                        text.append(rnd.nextBoolean() ? "x${D" + rnd.nextInt(defs) + "}" : " $D" + rnd.nextInt(defs));
                    }
                    text.append(rnd.nextInt(3) == 0 ? " \\\nk ${D" + rnd.nextInt(defs) + "}\n" : "\n");
                }
                text.append("k $D").append(rnd.nextInt(defs)).append('\n');
                check(text.toString());
            }
        });
    }
}
