package dev.pharos.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The IPVS switches as files: set, reported as they were, left alone when already right, and a
/// missing or unwritable switch is a warning, never a failed start. The real `/proc/sys` is
/// written by `KernelIpvsVmMaglevEcmpTest` in a virtual machine.
class IpvsSysctlTest {

    @TempDir
    Path dir;

    @Test
    void setWritesTheValueAndReturnsTheOldOne() throws Exception {
        Files.writeString(dir.resolve("sloppy_tcp"), "0\n");

        assertThat(new IpvsSysctl(dir).set("sloppy_tcp", 1)).isEqualTo(0);
        assertThat(Files.readString(dir.resolve("sloppy_tcp"))).isEqualTo("1\n");
        assertThat(new IpvsSysctl(dir).set("sloppy_tcp", 1)).isEqualTo(1);
    }

    @Test
    void sloppyOnSetsTcpAndSctp() throws Exception {
        Files.writeString(dir.resolve("sloppy_tcp"), "0\n");
        Files.writeString(dir.resolve("sloppy_sctp"), "0\n");

        new IpvsSysctl(dir).sloppyOn();

        assertThat(Files.readString(dir.resolve("sloppy_tcp")).strip()).isEqualTo("1");
        assertThat(Files.readString(dir.resolve("sloppy_sctp")).strip()).isEqualTo("1");
    }

    @Test
    void aMissingSwitchIsAnErrorForSetAndAWarningForSloppyOn() throws Exception {
        Files.writeString(dir.resolve("sloppy_tcp"), "0\n");

        assertThatThrownBy(() -> new IpvsSysctl(dir).set("sloppy_sctp", 1)).isInstanceOf(NoSuchFileException.class);
        new IpvsSysctl(dir).sloppyOn();
        assertThat(Files.readString(dir.resolve("sloppy_tcp")).strip()).isEqualTo("1");
    }
}
