package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.pharos.agent.config.VirtualServerDef.SchedulerFlag;
import dev.pharos.agent.ipvs.table.ServiceSettings;
import dev.pharos.agent.ipvs.table.TableSpec;

/// `mh-port`, `mh-fallback`, `sh-*` and `flag-N` as keepalived 2.2.7's `lbflags_handler` reads
/// them, down to the IPVS service flags the table asks the kernel for, and written back.
class SchedulerFlagsConfigTest {

    private static String service(String body) {
        return "virtual_server 192.0.2.10 80 {\n    protocol TCP\n    lb_kind DR\n" + body
                + "    real_server 198.51.100.20 80 {\n    }\n}\n";
    }

    private static LoadedConfig load(String text) throws ConfigException {
        return ConfigLoader.parse(Path.of("t.conf"), text, "");
    }

    private static VirtualServerDef only(String text) throws ConfigException {
        return load(text).config().virtualServers().getFirst();
    }

    private static List<String> warnings(String text) throws ConfigException {
        return load(text).warnings().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void mhPortAndMhFallbackUnderMhAreTheSchedulersFlagsTwoAndOne() throws ConfigException {
        var text = service("    lb_algo mh\n    mh-port\n    mh-fallback\n");

        assertThat(only(text).schedulerFlags()).containsExactlyInAnyOrder(SchedulerFlag.FLAG_1, SchedulerFlag.FLAG_2);
        assertThat(warnings(text)).isEmpty();
        var settings = TableSpec.from(load(text).config()).virtualServers().getFirst().settings();
        assertThat(settings.scheduler()).isEqualTo("mh");
        assertThat(settings.flags()).isEqualTo(ServiceSettings.SCHED1 | ServiceSettings.SCHED2);
    }

    @Test
    void shFlagsUnderShAreTheSameBits() throws ConfigException {
        var settings = TableSpec.from(load(service("    lb_algo sh\n    sh-port\n")).config()).virtualServers()
                .getFirst().settings();

        assertThat(settings.flags()).isEqualTo(ServiceSettings.SCHED2);
    }

    @Test
    void flagNSetsItsBitWhateverTheScheduler() throws ConfigException {
        var text = service("    lb_algo rr\n    flag-1\n    flag-3\n");

        assertThat(only(text).schedulerFlags()).containsExactlyInAnyOrder(SchedulerFlag.FLAG_1, SchedulerFlag.FLAG_3);
        assertThat(TableSpec.from(load(text).config()).virtualServers().getFirst().settings().flags())
                .isEqualTo(ServiceSettings.SCHED1 | ServiceSettings.SCHED3);
    }

    @Test
    void theOtherHashSchedulersFlagIsIgnoredSilentlyAsKeepalivedDoes() throws ConfigException {
        var text = service("    lb_algo mh\n    sh-port\n");

        assertThat(only(text).schedulerFlags()).isEmpty();
        assertThat(warnings(text)).isEmpty();
    }

    @Test
    void aFlagIsReadAgainstTheSchedulerChosenAboveItAndALaterLbAlgoKeepsIt() throws ConfigException {
        var before = service("    mh-port\n    lb_algo mh\n");
        var after = service("    lb_algo mh\n    mh-port\n    lb_algo rr\n");

        assertThat(errors(before)).containsExactly("t.conf:4:5: error: mh-port applies to the sh and mh schedulers"
                + " only: keepalived reports it before any lb_algo (write lb_algo first) and ignores it");
        assertThat(only(after).schedulerFlags()).containsExactly(SchedulerFlag.FLAG_2);
        assertThat(only(after).lbAlgo()).isEqualTo("rr");
    }

    @Test
    void theWriterNamesTheFlagsForTheScheduler() throws ConfigException {
        var mh = only(service("    lb_algo mh\n    mh-fallback\n    mh-port\n"));
        var rr = only(service("    lb_algo rr\n    flag-2\n"));

        assertThat(ConfigWriter.writeVirtualServer(mh)).contains("    mh-fallback\n    mh-port\n")
                .doesNotContain("flag-");
        assertThat(ConfigWriter.writeVirtualServer(rr)).contains("    flag-2\n");
        var text = ConfigWriter.write(load(service("    lb_algo mh\n    mh-port\n")).config());
        assertThat(only(text).schedulerFlags()).containsExactly(SchedulerFlag.FLAG_2);
        assertThat(text.indexOf("mh-port")).isGreaterThan(text.indexOf("lb_algo mh"));
    }

    @Test
    void aServiceWithoutFlagsHasNone() throws ConfigException {
        var vs = only(service("    lb_algo mh\n"));

        assertThat(vs.schedulerFlags()).isEqualTo(Set.of());
        assertThat(ConfigWriter.writeVirtualServer(vs)).doesNotContain("mh-");
    }

    private static List<String> errors(String text) {
        try {
            load(text);
            return List.of();
        } catch (ConfigException e) {
            return e.diagnostics().stream().map(Diagnostic::toString).toList();
        }
    }
}
