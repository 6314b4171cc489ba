package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Keepalived;
import dev.pharos.testing.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/// What the writer emits passes real keepalived's `--config-test`, run in a namespace that has
/// every interface the configuration names (keepalived checks that they exist).
class WrittenConfigKeepalivedTest {

    private static Netns net;
    private static Netns.Host host;
    private static final Set<String> interfaces = new LinkedHashSet<>();

    @BeforeAll
    static void namespace() {
        assumeTrue(Netns.available() && Keepalived.installed(), "needs root, iproute2 and keepalived");
        net = Netns.create();
        host = net.host("kc");
        interfaces.add("eth0");
    }

    @AfterAll
    static void cleanUp() {
        if (net != null) {
            net.close();
        }
    }

    static Stream<Fixtures.Fixture> fixtures() {
        return Fixtures.all().stream();
    }

    private static void ensureInterfaces(KeepalivedConfig c) {
        var names = new TreeSet<String>();
        for (var i : c.vrrpInstances()) {
            if (i.interfaceName() != null) {
                names.add(i.interfaceName());
            }
            i.trackInterfaces().forEach(t -> names.add(t.name()));
            i.virtualIpAddresses().stream().filter(v -> v.dev() != null).forEach(v -> names.add(v.dev()));
        }
        for (var g : c.syncGroups()) {
            g.trackInterfaces().forEach(t -> names.add(t.name()));
        }
        for (var name : names) {
            if (interfaces.add(name)) {
                host.addDummy(name);
            }
        }
    }

    private static Netns.Result configTest(Path file) {
        return host.exec("/usr/sbin/keepalived", "--config-test", "-f", file.toString());
    }

    /// keepalived's complaints without the `(FILE: Line N)` prefix, so two files can be compared.
    private static Set<String> complaints(String output) {
        var out = new TreeSet<String>();
        output.lines().map(l -> l.replaceFirst("^\\([^)]*: Line \\d+\\)\\s*", "").trim())
                .filter(l -> !l.isEmpty()).forEach(out::add);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void keepalivedAcceptsWhatTheWriterEmits(Fixtures.Fixture f, @TempDir Path dir) throws Exception {
        var model = ConfigLoader.load(f.file(), f.configId()).config();
        ensureInterfaces(model);
        var written = dir.resolve("written.conf");
        Files.writeString(written, ConfigWriter.write(model));
        var result = configTest(written);
        if (f.file().startsWith(Fixtures.KEEPALIVED_SAMPLES)) {
            // keepalived's own samples draw semantic remarks from keepalived itself (AH with
            // state MASTER, routes without interfaces…): what Pharos writes must draw no new one.
            var original = configTest(original(f, dir));
            assertThat(complaints(result.output()))
                    .as("keepalived on the written file:%n%s%nkeepalived on the original:%n%s", result.output(),
                            original.output())
                    .isSubsetOf(complaints(original.output()));
        } else {
            assertThat(result.output()).as("keepalived --config-test output").isEmpty();
            assertThat(result.exitCode()).as("keepalived --config-test exit code").isZero();
        }
    }

    @org.junit.jupiter.api.Test
    void keepalivedReadsTheScriptUserFormsTheWriterEmitsAsItReadsTheOriginal(@TempDir Path dir) throws Exception {
        // keepalived 2.2.7's --config-test ends itself with SIGTERM (exit 143) once it has checked a
        // script as another user (check_script_secure compares main_pid with its parent, which a
        // config test does not set), so the written file is held to what the original draws.
        var f = Fixtures.scriptUsers();
        var model = ConfigLoader.load(f.file(), f.configId()).config();
        ensureInterfaces(model);
        var written = dir.resolve("written.conf");
        Files.writeString(written, ConfigWriter.write(model));
        var result = configTest(written);
        var original = configTest(f.file());
        assertThat(result.exitCode()).as("exit code on the written file (%s) and the original (%s)",
                result.output(), original.output()).isEqualTo(original.exitCode());
        assertThat(complaints(result.output())).isEqualTo(complaints(original.output()));
    }

    /// The original sample, with its `@ID` lines resolved the way Pharos read them.
    private static Path original(Fixtures.Fixture f, Path dir) throws IOException {
        if (f.configId().isEmpty()) {
            return f.file();
        }
        var copy = dir.resolve("original.conf");
        var text = Files.readString(f.file()).replaceAll("(?m)^@" + f.configId() + "\\s", "")
                .replaceAll("(?m)^@\\S+.*$", "");
        Files.writeString(copy, text);
        return copy;
    }
}
