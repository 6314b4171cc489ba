package dev.pharos.console.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/// What detection makes of keepalived's command line and of `KEY=value` output.
class HostFactsTest {

    @Test
    void theConfigurationIsKeepalivedsOwnFormsOfDashF() {
        assertThat(HostFacts.configFile(List.of("/usr/sbin/keepalived", "-D", "-f", "/etc/lvs/k.conf")))
                .isEqualTo("/etc/lvs/k.conf");
        assertThat(HostFacts.configFile(List.of("keepalived", "-f/etc/lvs/k.conf"))).isEqualTo("/etc/lvs/k.conf");
        assertThat(HostFacts.configFile(List.of("keepalived", "--use-file", "/srv/k.conf"))).isEqualTo("/srv/k.conf");
        assertThat(HostFacts.configFile(List.of("keepalived", "--use-file=/srv/k.conf", "--dont-fork")))
                .isEqualTo("/srv/k.conf");
    }

    @Test
    void withoutDashFItIsTheDefaultFile() {
        assertThat(HostFacts.configFile(List.of("/usr/sbin/keepalived", "--dont-fork", "-D")))
                .isEqualTo(HostFacts.DEFAULT_CONFIG);
        assertThat(HostFacts.configFile(List.of("keepalived"))).isEqualTo(HostFacts.DEFAULT_CONFIG);
        assertThat(HostFacts.configFile(List.of("keepalived", "-f"))).as("-f without a file")
                .isEqualTo(HostFacts.DEFAULT_CONFIG);
        // the file name keepalived was started as is not an option
        assertThat(HostFacts.configFile(List.of("-fake-name", "-D"))).isEqualTo(HostFacts.DEFAULT_CONFIG);
    }

    @Test
    void keyValuesDropQuotesAndIgnoreOtherLines() {
        var map = HostFacts.keyValues("""
                PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
                ID=debian
                VERSION='12'
                a line without an equals sign
                =no key
                EMPTY=
                """);
        assertThat(map).containsEntry("PRETTY_NAME", "Debian GNU/Linux 12 (bookworm)").containsEntry("ID", "debian")
                .containsEntry("VERSION", "12").containsEntry("EMPTY", "").hasSize(4);
    }

    @Test
    void describesWhatWasFound() {
        var facts = new HostFacts("Debian GNU/Linux 12 (bookworm)", "amd64", false, true,
                new HostFacts.Keepalived(42, List.of("keepalived", "-D")), HostFacts.DEFAULT_CONFIG, null);
        assertThat(facts.describe()).containsExactly("OS: Debian GNU/Linux 12 (bookworm) (amd64)",
                "init: no systemd (daemons run by their own commands)", "user: root",
                "keepalived: running (PID 42: keepalived -D)", "configuration: /etc/keepalived/keepalived.conf",
                "pharos-agent: not installed");
    }
}
