package dev.pharos.console.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.pharos.testing.Netns;

/// The console's Debian package (`./mvnw -Ppackage` builds it, then runs these tests): lintian
/// finds no errors, and it carries the launcher, its own runtime, the desktop entry and the
/// project's icons where a desktop looks for them. bench/console-package measures its start-up.
@Tag("package")
class ConsolePackageTest {

    @Test
    void lintianReportsNoErrors() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/lintian")), "lintian is not installed");
        var r = Netns.exec(Duration.ofMinutes(10), "lintian", "--tag-display-limit", "0", deb().toString());
        assertThat(r.output().lines().filter(l -> l.startsWith("E: ")).toList()).as(r.output()).isEmpty();
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void carriesTheLauncherItsRuntimeTheDesktopEntryAndTheIcons() {
        var r = Netns.exec(Duration.ofMinutes(2), "dpkg-deb", "--contents", deb().toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output())
                .contains("./usr/bin/pharos-console -> ../lib/pharos-console/bin/pharos-console")
                .containsPattern("-rwxr-xr-x .* \\./usr/lib/pharos-console/bin/pharos-console\\n")
                .containsPattern("-rwxr-xr-x .* \\./usr/lib/pharos-console/lib/runtime/lib/jspawnhelper\\n")
                .contains("./usr/lib/pharos-console/lib/runtime/lib/modules")
                .contains("./usr/lib/pharos-console/lib/app/console-app-")
                .contains("./usr/share/applications/pharos-console.desktop")
                .contains("./usr/share/icons/hicolor/scalable/apps/pharos-console.svg");
        for (var size : new int[] {16, 24, 32, 48, 64, 128, 256}) {
            assertThat(r.output()).contains("./usr/share/icons/hicolor/%dx%d/apps/pharos-console.png".formatted(size, size));
        }
    }

    @Test
    void theDesktopEntryIsValid() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/desktop-file-validate")),
                "desktop-file-validate is not installed (desktop-file-utils)");
        var r = Netns.exec(Duration.ofMinutes(1), "desktop-file-validate", "src/deb/pharos-console.desktop");
        assertThat(r.output()).as("desktop-file-validate").isBlank();
        assertThat(r.exitCode()).isZero();
    }

    private static Path deb() {
        try (var files = Files.list(Path.of("target"))) {
            var debs = files.filter(f -> f.getFileName().toString().matches("pharos-console_.*_amd64\\.deb")).toList();
            assertThat(debs).as("target/pharos-console_*_amd64.deb: ./mvnw -Ppackage makes it").hasSize(1);
            return debs.getFirst();
        } catch (IOException e) {
            throw new IllegalStateException("no target directory: build with ./mvnw -Ppackage", e);
        }
    }
}
