package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ConfigFixturesTest {

    static Stream<Fixtures.Fixture> fixtures() {
        return Fixtures.all().stream();
    }

    private static LoadedConfig load(Fixtures.Fixture f) throws ConfigException {
        return ConfigLoader.load(f.file(), f.configId());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void loadsWithoutErrors(Fixtures.Fixture f) throws ConfigException {
        var loaded = load(f);
        assertThat(loaded.warnings()).allMatch(d -> !d.isError());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void parseWriteParseGivesAnEqualModel(Fixtures.Fixture f) throws ConfigException {
        var model = load(f).config();
        var written = ConfigWriter.write(model);
        var again = ConfigLoader.parse(Path.of("written.conf"), written).config();
        assertThat(again).isEqualTo(model);
        assertThat(ConfigWriter.write(again)).as("the writer is canonical").isEqualTo(written);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void jsonRoundTripGivesAnEqualModel(Fixtures.Fixture f) throws ConfigException {
        var model = load(f).config();
        var json = ConfigJson.toJson(model);
        var back = ConfigJson.fromJson(json, Path.of("config.json"));
        assertThat(back).isEqualTo(model);
        assertThat(ConfigJson.toJson(back)).isEqualTo(json);
    }

    @Test
    void scriptUserFormsLoadAndSurviveParseWriteParse() throws ConfigException {
        loadsWithoutErrors(Fixtures.scriptUsers());
        parseWriteParseGivesAnEqualModel(Fixtures.scriptUsers());
        jsonRoundTripGivesAnEqualModel(Fixtures.scriptUsers());
        var written = ConfigWriter.write(ConfigLoader.load(Fixtures.scriptUsers().file(), "").config());
        assertThat(written).contains("    notify_master \"/bin/true master 'two words'\" nobody nogroup\n",
                "    notify_backup /bin/true nobody\n", "    notify_fault \"/bin/true fault\"\n",
                "    quorum_up \"/bin/true up\" nobody\n", "        user nobody nogroup\n",
                "    script_user nobody nogroup\n", "    enable_script_security\n");
    }

    @Test
    void theSeedMasterSaysWhatThePostSays() throws ConfigException {
        var c = ConfigLoader.load(Fixtures.resource("seed/lvs-master.conf"), "").config();
        assertThat(c.vrrpInstances()).extracting(VrrpInstanceDef::name, VrrpInstanceDef::virtualRouterId,
                        VrrpInstanceDef::priority, VrrpInstanceDef::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("VI_1", 90, 100, VrrpInstanceDef.State.MASTER),
                        org.assertj.core.groups.Tuple.tuple("VI_2", 93, 98, VrrpInstanceDef.State.BACKUP));
        var vi1 = c.instance("VI_1").orElseThrow();
        assertThat(vi1.authentication()).isEqualTo(new VrrpInstanceDef.Authentication(VrrpInstanceDef.AuthType.PASS, "1015"));
        assertThat(vi1.advertInterval()).hasSeconds(1);
        assertThat(c.virtualServers()).hasSize(2);
        var vs80 = c.virtualServers().getFirst();
        assertThat(vs80.lbAlgo()).isEqualTo("wrr");
        assertThat(vs80.lbKind()).isEqualTo(VirtualServerDef.LbKind.DR);
        assertThat(vs80.persistenceTimeout()).hasSeconds(120);
        assertThat(vs80.delayLoop()).hasSeconds(6);
        assertThat(vs80.realServers()).hasSize(2).allSatisfy(rs -> {
            assertThat(rs.weight()).isEqualTo(1);
            assertThat(rs.checkers()).singleElement().isInstanceOfSatisfying(CheckerDef.Http.class, h -> {
                assertThat(h.ssl()).isFalse();
                assertThat(h.urls()).extracting(CheckerDef.Url::path).containsExactly("/");
                assertThat(h.common().connectTimeout()).hasSeconds(3);
                assertThat(h.common().retry()).as("nb_get_retry is retry").isEqualTo(3);
                assertThat(h.common().delayBeforeRetry()).hasSeconds(3);
            });
        });
        var backup = ConfigLoader.load(Fixtures.resource("seed/lvs-backup.conf"), "").config();
        assertThat(backup.vrrpInstances()).extracting(VrrpInstanceDef::priority).containsExactly(98, 100);
    }

    @Test
    void theSeedsObsoleteNatMaskIsAWarningNamingIt() throws ConfigException {
        var loaded = ConfigLoader.load(Fixtures.resource("seed/lvs-master.conf"), "");
        assertThat(loaded.warnings()).extracting(Diagnostic::toString)
                .anyMatch(s -> s.matches(".*lvs-master\\.conf:\\d+:3: warning: nat_mask is obsolete.*"));
    }

    @Test
    void unimplementedKeywordsAreWarnedAndKeptVerbatim() throws ConfigException {
        var text = """
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 1
                    use_vmac vrrp1
                    virtual_routes {
                        192.0.2.0/24 via 192.0.2.1
                    }
                }
                """;
        var loaded = ConfigLoader.parse(Path.of("k.conf"), text);
        assertThat(loaded.warnings()).extracting(Diagnostic::toString).containsExactly(
                "k.conf:4:5: warning: 'use_vmac' in vrrp_instance VI_1 is a keepalived keyword Pharos does not implement yet; it is kept in the file but has no effect",
                "k.conf:5:5: warning: 'virtual_routes' in vrrp_instance VI_1 is a keepalived keyword Pharos does not implement yet; it is kept in the file but has no effect");
        var written = ConfigWriter.write(loaded.config());
        assertThat(written).contains("use_vmac vrrp1").contains("192.0.2.0/24 via 192.0.2.1");
    }

    @Test
    void includesExpandGlobsRelativeToTheIncludingFile() throws ConfigException {
        var c = ConfigLoader.load(Fixtures.resource("examples/includes/main.conf"), "").config();
        assertThat(c.globalDefs().routerId()).isEqualTo("INC");
        assertThat(c.vrrpInstances()).extracting(VrrpInstanceDef::name).containsExactly("VI_A");
        assertThat(c.virtualServers()).hasSize(1);
    }

    @Test
    void configIdLinesFollowKeepalivedsRule() throws ConfigException {
        var text = """
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 1
                @lb1    priority 150
                @^lb1   priority 50
                }
                """;
        assertThat(ConfigLoader.parse(Path.of("c.conf"), text).config().vrrpInstances()).isNotEmpty();
        var lb1 = load(text, "lb1");
        var other = load(text, "lb2");
        assertThat(lb1.vrrpInstances().getFirst().priority()).isEqualTo(150);
        assertThat(other.vrrpInstances().getFirst().priority()).isEqualTo(50);
    }

    private static KeepalivedConfig load(String text, String id) throws ConfigException {
        var tokens = SourceReader.read(Path.of("c.conf"), text, java.util.Map.of(), id);
        var diagnostics = new java.util.ArrayList<Diagnostic>();
        var parsed = ConfigParser.parse(TreeParser.parse(tokens), diagnostics);
        assertThat(diagnostics).filteredOn(Diagnostic::isError).isEmpty();
        return parsed.config();
    }

    @Test
    void keepalivedDefaultsStayOutOfTheModelSoTheWriterReproducesTheFile() throws ConfigException {
        var c = ConfigLoader.parse(Path.of("m.conf"), """
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 1
                }
                """).config();
        var vi = c.vrrpInstances().getFirst();
        assertThat(vi.priority()).isNull();
        assertThat(vi.advertInterval()).isNull();
        assertThat(ConfigWriter.write(c)).doesNotContain("priority").doesNotContain("advert_int");
        assertThat(List.of(vi.nopreempt())).containsExactly(false);
    }
}
