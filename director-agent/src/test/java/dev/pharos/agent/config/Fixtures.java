package dev.pharos.agent.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/// The configurations every config test runs over: the seed's two directors, Pharos's own
/// examples, and keepalived's documentation samples when Debian's keepalived is installed.
final class Fixtures {

    static final Path RESOURCES = Path.of("src/test/resources/config").toAbsolutePath();
    static final Path KEEPALIVED_SAMPLES = Path.of("/usr/share/doc/keepalived/samples");

    /// A fixture and the config id it is loaded with (keepalived's `@ID` lines).
    record Fixture(Path file, String configId) {
        @Override
        public String toString() {
            return file.getFileName() + (configId.isEmpty() ? "" : " (config id " + configId + ")");
        }
    }

    private Fixtures() {
    }

    static Path resource(String relative) {
        return RESOURCES.resolve(relative);
    }

    /// Notify lines, `vrrp_script` and `MISC_CHECK` with users and groups in every form keepalived
    /// reads. Kept out of [#all] so the fuzz corpus (and its seeded sequence) stays as it was.
    static Fixture scriptUsers() {
        return new Fixture(resource("examples/script-users.conf"), "");
    }

    static List<Fixture> all() {
        var list = new ArrayList<Fixture>();
        for (var f : List.of("seed/lvs-master.conf", "seed/lvs-backup.conf", "examples/full.conf",
                "examples/one-line-blocks.conf", "examples/includes/main.conf")) {
            list.add(new Fixture(resource(f), ""));
        }
        list.addAll(keepalivedSamples());
        return list;
    }

    /// keepalived's own samples, minus the ones keepalived itself rejects (`vrrp.lvs_syncd` lists
    /// instances without a `group` block; `vrrp.rules` has rule addresses it cannot read,
    /// `192.168.100./24`); the conditional one is read as config id `high`.
    static List<Fixture> keepalivedSamples() {
        if (!Files.isDirectory(KEEPALIVED_SAMPLES)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(KEEPALIVED_SAMPLES)) {
            return files.filter(p -> p.getFileName().toString().startsWith("keepalived.conf."))
                    .filter(p -> !p.getFileName().toString().endsWith("lvs_syncd"))
                    .filter(p -> !p.getFileName().toString().endsWith("vrrp.rules"))
                    .sorted()
                    .map(p -> new Fixture(p, p.getFileName().toString().endsWith("conditional_conf") ? "high" : ""))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
