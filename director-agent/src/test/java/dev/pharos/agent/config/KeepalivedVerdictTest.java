package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/// How the corpus test reads `keepalived -t` output (see [KeepalivedVerdict]).
class KeepalivedVerdictTest {

    @Test
    void exitZeroAcceptsWhateverWasLogged() {
        var v = KeepalivedVerdict.of(0, "(Line 2) Config files missing 'absent.conf'.\n");
        assertThat(v.accepts()).isTrue();
        assertThat(v.errors()).isEmpty();
        assertThat(v.advisories()).containsExactly("line 2: Config files missing 'absent.conf'.");
    }

    @Test
    void exitFourRejectsEvenWithoutAnErrorMessage() {
        var v = KeepalivedVerdict.of(4, "Non-existent interface specified in configuration\n");
        assertThat(v.accepts()).isFalse();
        assertThat(v.firstError()).isEqualTo("Non-existent interface specified in configuration");
    }

    @Test
    void exitFiveWithOnlyWarningsAndDeprecationsAccepts() {
        var v = KeepalivedVerdict.of(5, """
                (/x/a.conf: Line 8) WARNING - interface eth9 for VROUTE nexthop doesn't exist
                (/x/a.conf: Line 9) (VI_1) Warning - nopreempt will not work
                (/x/a.conf: Line 15) nb_get_retry is deprecated - please use 'retry'
                check_script_secure could not find script '/nowhere.sh' - disabling
                """);
        assertThat(v.accepts()).isTrue();
        assertThat(v.advisories()).hasSize(4);
    }

    @Test
    void anInitialStateKeepalivedCorrectsIsAnAdvisory() {
        var v = KeepalivedVerdict.of(5, """
                (VI_1) Initial state master is incompatible with AH authentication - clearing
                (VI_1) State MASTER must match being address owner
                """);
        assertThat(v.accepts()).isTrue();
        assertThat(v.advisories()).hasSize(2);
        var dropped = KeepalivedVerdict.of(5, "(VI_1) Strict mode does not support authentication. Ignoring.\n");
        assertThat(dropped.accepts()).isFalse();
    }

    @Test
    void anUnknownKeywordOrABadNumberRejects() {
        var v = KeepalivedVerdict.of(5, """
                (/x/a.conf: Line 13) Unknown keyword 'nb_get_retry'
                (/x/a.conf: Line 7) number '0' outside range [1, 2678400]
                """);
        assertThat(v.accepts()).isFalse();
        assertThat(v.errors()).containsExactly("line 13: Unknown keyword 'nb_get_retry'",
                "line 7: number '0' outside range [1, 2678400]");
    }

    @Test
    void aMessageRepeatedByAnotherProcessCountsOnce() {
        var v = KeepalivedVerdict.of(5, """
                (Line 3) Unknown keyword 'The'
                (/x/a.conf: Line 3) Unknown keyword 'The'
                (/x/a.conf: Line 3) Unknown keyword 'The'
                """);
        assertThat(v.errors()).containsExactly("line 3: Unknown keyword 'The'");
    }

    @Test
    void aTimeoutRejects() {
        var v = KeepalivedVerdict.of(-1, "\n[killed after PT20S]");
        assertThat(v.accepts()).isFalse();
    }
}
