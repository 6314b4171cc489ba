package dev.pharos.icons;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathSyntaxTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "M0 0 L24 24 Z",
            "m2 2 l4 0 h2 v2 z",
            "M1,2 3,4 5,6",                        // implicit line-tos after a move-to
            "M1-2.5.5.5 L-.5e1 +3E-1",             // compact numbers: 1, -2.5, .5, .5, -.5e1, +3E-1
            "M2 12 A10 10 0 1 0 22 12 A10 10 0 1 0 2 12 Z",
            "M0 0 C1 1 2 2 3 3 4 4 5 5 6 6 Q1 1 2 2 q1 1 2 2 a1 1 0 0 1 2 2",
            "  M 0 0 H 1 V 1 Z  "
    })
    void acceptsTheSubset(String data) {
        assertThat(PathSyntax.problem(data)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                       | path data is empty",
            "L1 1                     | character 1: a path must start with M or m",
            "M0 0 S1 1 2 2            | character 6: command 'S' is not supported (use M, L, H, V, C, Q, A, Z)",
            "M0 0 T1 1                | character 6: command 'T' is not supported",
            "M0 0 L1                  | character 6: 'L' takes groups of 2 numbers, found 1",
            "M0 0 C1 1 2 2 3          | character 6: 'C' takes groups of 6 numbers, found 5",
            "M0 0 L                   | character 6: 'L' takes groups of 2 numbers, found 0",
            "M0 0 Z 1                 | character 6: 'Z' takes no numbers",
            "M0 0 A1 1 0 2 0 3 3      | character 13: an arc flag must be 0 or 1",
            "M0 0 L1e 2               | character 7: malformed number",
            "M0 0 L1 1 # 2            | character 11: expected a command letter, found '#'",
            "M0 0 L1 1e999            | character 9: number out of range",
            "M0 0 L- 1                | character 7: malformed number"
    })
    void rejectsEverythingElseSayingWhere(String data, String message) {
        assertThat(PathSyntax.problem(data)).hasValueSatisfying(problem -> assertThat(problem).contains(message));
    }
}
