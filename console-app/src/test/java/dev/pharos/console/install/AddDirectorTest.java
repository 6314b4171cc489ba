package dev.pharos.console.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.console.ConsoleWindow;
import dev.pharos.console.ConsoleWork;
import dev.pharos.console.connect.Prompts;
import dev.pharos.console.connect.SshConnector;
import dev.pharos.console.connect.Sshd;
import dev.pharos.console.install.AddDirectorViewModel.Phase;
import dev.pharos.console.install.AddDirectorViewModel.Step;
import dev.pharos.console.install.AddDirectorViewModel.StepState;
import dev.pharos.packaging.DebianRoot;
import dev.pharos.testing.Netns;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/// "Add a director" against a real host: a fresh Debian 12 root (DebianRoot) in its own network
/// namespace, reached through real OpenSSH, where keepalived holds a VIP. The agent's package
/// (director-agent/target, made by `./mvnw -Ppackage`, which runs this test after it) is uploaded
/// and installed through the dialog's view model. A package that cannot install leaves the host as
/// it was; the real one installs, check-config accepts keepalived's file, the switch stops
/// keepalived and the agent takes the VIP on the same file; the roll back starts keepalived again
/// and removes the package. The root has no systemd as PID 1: this is the path without systemctl.
/// Pictured for docs/console.md with `-Dpharos.docs.screens=true`.
@Tag("package")
@ExtendWith(ApplicationExtension.class)
class AddDirectorTest {

    /// VRRP only: this kernel may have no IPVS, and keepalived's checker then ends keepalived.
    static final String CONFIG = """
            vrrp_instance VI_1 {
                state MASTER
                interface eth0
                virtual_router_id 51
                priority 150
                advert_int 1
                virtual_ipaddress {
                    192.0.2.100/24
                }
            }
            """;
    static final String VIP = "192.0.2.100";
    static final Duration STEP = Duration.ofMinutes(4);

    Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
    }

    @Test
    void aFailedInstallLeavesKeepalivedThenTheAgentTakesOverAndRollsBack(@TempDir Path dir) throws Exception {
        assumeTrue(Sshd.available(), "needs root, network namespaces and OpenSSH");
        var deb = agentPackage();
        var work = new ConsoleWork();
        try (var root = DebianRoot.create();
                var net = Netns.create();
                var sshd = new Sshd(Files.createDirectory(dir.resolve("sshd")))) {
            var lvs = net.host("lvs", "192.0.2.1/24");
            Files.writeString(root.path("/etc/keepalived/keepalived.conf"), CONFIG);
            var started = Netns.exec(Duration.ofMinutes(1), inNetns(lvs, root.chrooted("keepalived", "-D")));
            assertThat(started.exitCode()).as(started.output()).isZero();
            assertThat(Netns.await(Duration.ofSeconds(60), () -> lvs.addresses("eth0").contains(VIP)))
                    .as("keepalived holds the VIP").isTrue();
            var keepalived = keepalivedPids(root);
            assertThat(keepalived).isNotEmpty();

            var key = sshd.clientKey("key", "", false);
            sshd.sessionsIn(lvs.name(), root.dir());
            sshd.start();
            var connector = new SshConnector(dir.resolve("known_hosts"), null, (h, t, f) -> true, Prompts.NONE);
            var model = fx(() -> {
                var m = new AddDirectorViewModel(connector::openHost, work);
                m.hostProperty().set("127.0.0.1");
                m.portProperty().set(Integer.toString(sshd.port));
                m.userProperty().set("root");
                m.keyProperty().set(key.toString());
                var scene = new Scene(new AddDirectorView(m), 1100, 680);
                scene.getStylesheets().addAll(ConsoleWindow.stylesheets());
                stage.setScene(scene);
                stage.show();
                return m;
            });

            // A package that cannot install (cut short): dpkg refuses it, nothing is left, keepalived runs on.
            var broken = dir.resolve("pharos-agent_0.0.1_amd64.deb");
            try (var in = Files.newInputStream(deb)) {
                Files.write(broken, in.readNBytes(100_000));
            }
            fx(() -> {
                model.packageFileProperty().set(broken.toString());
                model.prepare();
                return null;
            });
            await(model, Phase.FAILED, Phase.READY);
            assertThat(fx(() -> model.stateProperty(Step.INSTALL).get())).isEqualTo(StepState.FAILED);
            assertThat(fx(() -> model.errorProperty().get())).as(output(model))
                    .contains("dpkg -i failed").contains("nothing of the package is left installed")
                    .contains("keepalived is still running");
            assertThat(fx(() -> List.copyOf(model.facts()))).as(output(model))
                    .anyMatch(l -> l.startsWith("OS: Debian GNU/Linux 12 (bookworm) (amd64)"))
                    .anyMatch(l -> l.startsWith("init: no systemd"))
                    .anyMatch(l -> l.startsWith("keepalived: running (PID " + keepalived.getFirst() + ": keepalived -D)"))
                    .contains("configuration: /etc/keepalived/keepalived.conf");
            assertThat(installed(root)).as("no package half-installed").isFalse();
            assertThat(root.path(RemoteInstall.UPLOADED)).as("the upload removed").doesNotExist();
            assertThat(keepalivedPids(root)).isEqualTo(keepalived);
            assertThat(lvs.addresses("eth0")).contains(VIP);

            // The real package: installed, checked, switched; the agent holds the VIP on keepalived's file.
            fx(() -> {
                model.packageFileProperty().set(deb.toString());
                model.prepare();
                return null;
            });
            await(model, Phase.READY, Phase.FAILED);
            assertThat(installed(root)).isTrue();
            assertThat(fx(() -> List.copyOf(model.findings()))).as(output(model)).isNotEmpty();
            assertThat(keepalivedPids(root)).as("the install started nothing, stopped nothing").isEqualTo(keepalived);
            picture("add-director.png");
            fx(() -> {
                model.switchOver();
                return null;
            });
            await(model, Phase.SWITCHED, Phase.FAILED);
            assertThat(keepalivedPids(root)).as("keepalived stopped").isEmpty();
            assertThat(Files.readSymbolicLink(root.path(RemoteInstall.AGENT_CONFIG)))
                    .isEqualTo(Path.of("/etc/keepalived/keepalived.conf"));
            assertThat(Netns.await(Duration.ofSeconds(60), () -> lvs.addresses("eth0").contains(VIP)))
                    .as("the agent holds the VIP%n%s", output(model)).isTrue();
            var status = Netns.exec(Duration.ofMinutes(1), inNetns(lvs, root.chrooted("director-agent", "status")));
            assertThat(status.output()).as("the agent runs keepalived's VI_1").contains("VI_1").contains("MASTER");
            assertThat(fx(() -> String.join("\n", model.output()))).contains("VI_1");

            // Roll back, removing the package: keepalived runs again as it ran, and holds the VIP.
            fx(() -> {
                model.removePackageProperty().set(true);
                model.rollBack();
                return null;
            });
            await(model, Phase.ROLLED_BACK, Phase.FAILED);
            assertThat(keepalivedPids(root)).as("keepalived runs again%n%s", output(model)).isNotEmpty();
            assertThat(Netns.await(Duration.ofSeconds(60), () -> lvs.addresses("eth0").contains(VIP)))
                    .as("keepalived holds the VIP again").isTrue();
            assertThat(agentPids(root)).as("the agent stopped").isEmpty();
            assertThat(installed(root)).as("the package removed").isFalse();
            assertThat(Files.isSymbolicLink(root.path(RemoteInstall.AGENT_CONFIG))).as("the link removed").isFalse();
            assertThat(Files.readString(root.path("/etc/keepalived/keepalived.conf"))).as("keepalived's file untouched")
                    .isEqualTo(CONFIG);
            fx(() -> {
                model.close();
                return null;
            });
        } finally {
            work.shutdown();
        }
    }

    /// The agent's package the build made: exactly one.
    static Path agentPackage() throws IOException {
        try (var files = Files.list(Path.of("..", "director-agent", "target"))) {
            var debs = files.filter(f -> f.getFileName().toString().matches("pharos-agent_.*_amd64\\.deb")).toList();
            assertThat(debs).as("director-agent/target/pharos-agent_*_amd64.deb: ./mvnw -Ppackage makes it").hasSize(1);
            return debs.getFirst();
        }
    }

    static boolean installed(DebianRoot root) {
        return root.exec(Duration.ofMinutes(1), "dpkg-query", "-W", "-f=${db:Status-Status}", "pharos-agent")
                .output().strip().equals("installed");
    }

    /// keepalived's processes whose root is this Debian root (others may run on this machine).
    static List<Long> keepalivedPids(DebianRoot root) {
        return inRoot(root, "keepalived");
    }

    static List<Long> agentPids(DebianRoot root) {
        return inRoot(root, "java");
    }

    private static List<Long> inRoot(DebianRoot root, String command) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/" + command)).orElse(false))
                .filter(p -> {
                    try {
                        return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "root"))
                                .equals(root.dir());
                    } catch (IOException | UnsupportedOperationException e) {
                        return false;
                    }
                })
                .map(ProcessHandle::pid).sorted().toList();
    }

    static String[] inNetns(Netns.Host host, List<String> command) {
        var all = new ArrayList<>(Arrays.asList("ip", "netns", "exec", host.name()));
        all.addAll(command);
        return all.toArray(String[]::new);
    }

    static void await(AddDirectorViewModel model, Phase wanted, Phase instead) throws Exception {
        WaitForAsyncUtils.waitFor(STEP.toSeconds(), TimeUnit.SECONDS, () -> fx(() -> {
            var now = model.phaseProperty().get();
            return now == wanted || now == instead;
        }));
        assertThat(fx(() -> model.phaseProperty().get())).as("%s%n%s", fx(() -> model.errorProperty().get()),
                output(model)).isEqualTo(wanted);
    }

    static String output(AddDirectorViewModel model) {
        return fx(() -> String.join("\n", model.output()));
    }

    static <T> T fx(Callable<T> work) {
        try {
            return WaitForAsyncUtils.asyncFx(work).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void picture(String name) throws Exception {
        var docs = Boolean.getBoolean("pharos.docs.screens");
        var out = docs ? Path.of("..", "docs", "screens") : Path.of("target", "docs-screens");
        Files.createDirectories(out);
        WaitForAsyncUtils.waitForFxEvents();
        var image = fx(() -> {
            var snap = stage.getScene().getRoot().snapshot(null, null);
            var img = new BufferedImage((int) snap.getWidth(), (int) snap.getHeight(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.setRGB(x, y, snap.getPixelReader().getArgb(x, y));
                }
            }
            return img;
        });
        ImageIO.write(image, "png", out.resolve(name).toFile());
    }
}
