package dev.pharos.console.lab;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.lab.Lab;
import dev.pharos.console.connect.DirectorConnection;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.TimelineEntry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javafx.application.Platform;
import javafx.scene.control.Alert;
import javafx.scene.control.TextArea;
import javafx.stage.FileChooser;

/// The console's default when no director is configured: the seed's pair as a lab, shown in the
/// topology like real directors, with the lab's controls in their own tab. Loading another pair
/// validates it first; a broken one shows the parser's `file:line:col` errors and the running lab
/// stays.
public final class LabMode implements AutoCloseable {

    private final LabHost host;
    private final ClusterModel cluster;
    private final Map<String, DirectorConnection> connections;
    private volatile LabSession session;
    private LabView view;

    private LabMode(LabHost host, ClusterModel cluster, Map<String, DirectorConnection> connections) {
        this.host = host;
        this.cluster = cluster;
        this.connections = connections;
    }

    /// Starts the seed lab in the background (call on the FX thread); the view appears when it runs.
    public static LabMode start(LabHost host, ClusterModel cluster, Map<String, DirectorConnection> connections) {
        var mode = new LabMode(host, cluster, connections);
        cluster.record(new TimelineEntry(Instant.now(), "lab", "scenario", "lab",
                "starting the seed's dual-master pair (lvs-master, lvs-backup)"));
        Thread.ofVirtual().name("lab start").start(() -> {
            try {
                var lab = Lab.seed();
                Platform.runLater(() -> mode.show(lab));
            } catch (IOException | ConfigException | RuntimeException e) {
                Platform.runLater(() -> cluster.record(new TimelineEntry(Instant.now(), "lab", "scenario", "lab",
                        "the lab could not start: " + e.getMessage())));
            }
        });
        return mode;
    }

    private void show(Lab lab) {
        session = LabSession.open(lab, cluster, connections, 5, Platform::runLater);
        view = new LabView(session, connections, this::loadPair);
        host.showLab(view);
        host.refreshDirectors();
    }

    public LabSession session() {
        return session;
    }

    public LabView view() {
        return view;
    }

    /// Asks for two configuration files and runs them as the lab, if they load.
    private void loadPair() {
        var chooser = new FileChooser();
        chooser.setTitle("Load a director pair (two keepalived.conf files)");
        var files = chooser.showOpenMultipleDialog(host.getScene().getWindow());
        if (files == null || files.size() != 2) {
            return;
        }
        try {
            var texts = new ArrayList<String>();
            for (var f : files) {
                texts.add(Files.readString(f.toPath()));
            }
            load(List.of(files.get(0).getName().replaceFirst("\\.conf$", ""), files.get(1).getName().replaceFirst("\\.conf$", "")),
                    texts);
        } catch (IOException e) {
            error("cannot read the files: " + e.getMessage());
        }
    }

    /// Replaces the running lab with a pair of configurations — only if both load.
    public void load(List<String> names, List<String> texts) {
        Thread.ofVirtual().name("lab load").start(() -> {
            try {
                var defs = new ArrayList<Lab.DirectorDef>();
                for (int i = 0; i < names.size(); i++) {
                    defs.add(new Lab.DirectorDef(names.get(i), texts.get(i),
                            (Inet4Address) InetAddress.getByName("192.0.2." + (i + 1))));
                }
                var current = session;
                var realServers = current == null ? List.<Lab.RealServerDef>of() : current.lab().realServers().entrySet()
                        .stream().map(e -> new Lab.RealServerDef(e.getKey(), e.getValue().name())).toList();
                var lab = Lab.start(defs, realServers);
                // Stopped here, off the FX thread: closing its connections and directors takes a while.
                if (current != null) {
                    current.close();
                }
                Platform.runLater(() -> {
                    cluster.directors().clear();
                    show(lab);
                });
            } catch (ConfigException e) {
                Platform.runLater(() -> error(e.getMessage()));
            } catch (IOException | RuntimeException e) {
                Platform.runLater(() -> error(e.getMessage()));
            }
        });
    }

    private void error(String text) {
        cluster.record(new TimelineEntry(Instant.now(), "lab", "config", "load a pair",
                "refused, the running lab stays: " + text.lines().findFirst().orElse(text)));
        host.showError("lab: the pair was refused; the running lab stays");
        if (host.getScene() != null && host.getScene().getWindow() != null && host.getScene().getWindow().isShowing()
                && !Boolean.getBoolean("pharos.headless")) {
            var alert = new Alert(Alert.AlertType.ERROR);
            alert.setHeaderText("This pair does not load; the running lab stays");
            var area = new TextArea(text);
            area.setEditable(false);
            alert.getDialogPane().setContent(area);
            alert.show();
        }
    }

    @Override
    public void close() {
        var s = session;
        if (s != null) {
            s.close();
        }
    }
}
