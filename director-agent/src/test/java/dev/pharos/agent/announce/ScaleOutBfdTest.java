package dev.pharos.agent.announce;

import static dev.pharos.agent.announce.ScaleOutLab.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.testing.Frr;
import dev.pharos.testing.Netns;
import dev.pharos.testing.Nginx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// BFD-assisted detection of a dead director: [ScaleOutLab] with BFD at 300 ms × 3 (the interval
/// that holds on a busy host) on every BGP session and BGP's own timers at their defaults (hold
/// time 180 s). When d2's link is cut, the router's BFD session to it goes down and takes the BGP
/// session and d2's path with it long before the hold time could; with the link back, d2 returns.
class ScaleOutBfdTest {

    /// Far below the hold time (180 s) and far above BFD's 0.9 s, for a loaded host.
    static final Duration DETECTED = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    ScaleOutLab lab;

    @BeforeEach
    void network() throws IOException {
        assumeTrue(Netns.available() && Frr.bfdAvailable() && Files.isExecutable(Bird.BIRD)
                && Nginx.available(), "needs root, ip, FRR with bfdd, BIRD 2 and nginx");
        lab = new ScaleOutLab(dir, "", "", "", new ScaleOutLab.Bfd(300, 3));
    }

    @AfterEach
    void cleanUp() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aCutLinkIsDetectedByBfdFarSoonerThanTheHoldTime() {
        assertThat(Netns.await(DEADLINE, () -> lab.paths() == 3 && lab.bfdUp() == 3))
                .as("three paths and three BFD sessions at the router:\n%s\n%s", lab.router.exec("ip", "route").output(),
                        lab.frrs.getFirst().vtysh("show bfd peers brief")).isTrue();
        var d2 = lab.directors.get(1);

        d2.exec("ip", "link", "set", d2.ifname(), "down");
        assertThat(Netns.await(DETECTED, () -> lab.paths() == 2)).as("d2's path gone within %s:\n%s\n%s", DETECTED,
                lab.router.exec("ip", "route").output(), lab.frrs.getFirst().vtysh("show bfd peers brief")).isTrue();
        assertThat(lab.frrs.getFirst().vtysh("show bfd peer 192.0.2.2")).as("the router's BFD session to d2")
                .containsPattern("Status: down");
        var answers = lab.hammer(150);
        assertThat(answers.get("errors")).as("new connections without d2: %s", answers).isZero();
        assertThat(answers).doesNotContainKey("192.0.2.2");

        d2.exec("ip", "link", "set", d2.ifname(), "up");
        assertThat(Netns.await(DEADLINE, () -> lab.paths() == 3 && lab.bfdUp() == 3)).as("d2 back").isTrue();
    }
}
