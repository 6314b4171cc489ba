package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pharos.agent.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigStoreTest {

    @Test
    void writesAtomicallyKeepingHistoryAndMode(@TempDir Path dir) throws Exception {
        var file = dir.resolve("keepalived.conf");
        Files.writeString(file, "! first\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        var clock = new Clock() {
            Instant now = Instant.parse("2026-11-25T06:00:00Z");

            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                now = now.plusSeconds(1);
                return now;
            }
        };
        var store = new ConfigStore(file, dir.resolve("state"), clock);
        for (int i = 0; i < ConfigStore.HISTORY + 5; i++) {
            store.save("! version " + i + "\n");
        }
        assertThat(Files.readString(file)).isEqualTo("! version 24\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        var history = store.history();
        assertThat(history).hasSize(ConfigStore.HISTORY);
        assertThat(Files.readString(history.getLast())).isEqualTo("! version 23\n");
        assertThat(history.getLast().getFileName().toString()).matches("keepalived\\.conf\\.\\d{8}T\\d{6}\\.\\d{3}Z");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("keepalived.conf", "state");
        }
    }

    @Test
    void aFailedWriteLeavesTheFileAsItWas(@TempDir Path dir) throws Exception {
        var sub = Files.createDirectory(dir.resolve("etc"));
        var file = sub.resolve("keepalived.conf");
        Files.writeString(file, "! original\n");
        // history cannot be created: a file stands where the state directory should be
        Files.writeString(dir.resolve("state"), "not a directory");
        var store = new ConfigStore(file, dir.resolve("state"), Clock.systemUTC());
        assertThatThrownBy(() -> store.save("! new\n")).isInstanceOf(java.io.IOException.class);
        assertThat(Files.readString(file)).isEqualTo("! original\n");
    }

    @Test
    void theRevisionNamesTheContentNotTheComments() throws Exception {
        var a = ConfigLoader.parse(Path.of("a.conf"), "! one\nvrrp_script chk {\n script \"/bin/true\"\n}\n", "").config();
        var b = ConfigLoader.parse(Path.of("b.conf"), "# two\nvrrp_script chk {\n   script \"/bin/true\" # same\n}\n", "").config();
        var c = ConfigLoader.parse(Path.of("c.conf"), "vrrp_script chk {\n script \"/bin/false\"\n}\n", "").config();
        assertThat(ConfigStore.revision(a)).isEqualTo(ConfigStore.revision(b)).hasSize(16);
        assertThat(ConfigStore.revision(c)).isNotEqualTo(ConfigStore.revision(a));
    }
}
