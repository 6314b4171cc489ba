package dev.pharos.console.topology;

import dev.pharos.console.connect.LinkState;
import dev.pharos.console.edit.DriftRepair;
import dev.pharos.console.edit.Edit;
import dev.pharos.console.edit.EditService;
import dev.pharos.console.model.ClusterModel;
import dev.pharos.console.model.DirectorModel;
import dev.pharos.console.model.Drift;
import dev.pharos.console.model.HostReadings;
import dev.pharos.console.model.InstanceModel;
import dev.pharos.console.model.Liveness;
import dev.pharos.console.model.RealServerModel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import javafx.beans.Observable;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;
import javafx.geometry.Point2D;

/// What the topology view shows besides the cluster model itself, and the commands it calls:
/// every gesture becomes an [Edit] sent through the [EditService]; the status line says what
/// happened to it; the operator's arrangement is kept in a file; the picture of the topology is
/// exported as a PNG. File work runs as [Task]s on the application's executor, never on the FX
/// thread. Everything else runs on the FX thread.
///
/// It also says, as enums, how the model's states are drawn: a real server's health over the
/// directors of its pair ([ShownHealth]) and the VRRP role of an instance or a VIP ([ShownRole]).
public final class TopologyViewModel {

    private final ReadOnlyStringWrapper emptyHint = new ReadOnlyStringWrapper("No directors in this cluster yet.");
    private final ObservableList<Spare> spares = FXCollections.observableArrayList();
    private final ObservableList<Spare> sparesView = FXCollections.unmodifiableObservableList(spares);

    /// What a new real server dropped from the palette needs (the view asks for it).
    public record NewServer(String address, Integer port, int weight) {
    }

    /// One real server as one director reports it, the target of an edit.
    public record RealServerRef(String virtualServer, String realServer, RealServerModel model) {
    }

    /// The edits that make `director`'s copy of a virtual server match `reference`'s (sent to
    /// `director` only).
    public record DriftFix(String director, String reference, List<Edit> edits) {
        public DriftFix {
            edits = List.copyOf(edits);
        }
    }

    private final ClusterModel cluster;
    private final EditService edits;
    private final Executor work;
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper statusError = new ReadOnlyBooleanWrapper();
    private final ReadOnlyIntegerWrapper answered = new ReadOnlyIntegerWrapper();
    /// Where the operator moved a director (`director NAME`) or a virtual server (`vs ID`, its
    /// real servers go with it), as an offset from the automatic layout.
    private final ReadOnlyObjectWrapper<Map<String, Point2D>> offsets = new ReadOnlyObjectWrapper<>(Map.of());
    /// Where the arrangement is kept; none until [#rememberLayoutIn].
    private LayoutStore layout;
    /// The saved arrangement is being read: moves wait to be written until it is merged in.
    private boolean layoutLoading;

    /// @param work where file work runs (the application's `console-work`)
    public TopologyViewModel(ClusterModel cluster, EditService edits, Executor work) {
        this.cluster = cluster;
        this.edits = edits;
        this.work = work;
    }

    public ClusterModel cluster() {
        return cluster;
    }

    // --- the status line

    /// What the topology says while the cluster has no director.
    public ReadOnlyStringProperty emptyHintProperty() {
        return emptyHint.getReadOnlyProperty();
    }

    /// Says `text` while the cluster has no director (the training lab starting, say).
    public void emptyHint(String text) {
        emptyHint.set(text);
    }

    /// The last outcome or error, as the status line shows it.
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /// Whether the status line's message is an error: set with each message, so the colour
    /// follows the message and never outlives it.
    public ReadOnlyBooleanProperty statusErrorProperty() {
        return statusError.getReadOnlyProperty();
    }

    /// Shows `message` in the status line, plain.
    public void showStatus(String message) {
        statusError.set(false);
        status.set(message);
    }

    /// Shows `message` in the status line as an error (until the next message).
    public void showError(String message) {
        status.set(message);
        statusError.set(true);
    }

    // --- edits

    /// How many edits (undo and redo included) have been answered, applied or refused: after each,
    /// the view draws the agents' truth again (a refused move snaps back).
    public ReadOnlyIntegerProperty answeredProperty() {
        return answered.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return edits.canUndoProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return edits.canRedoProperty();
    }

    /// Undoes the operator's last edit (its inverse goes to the directors); the status line says
    /// what was undone or who refused.
    public void undo() {
        edits.undo(o -> answered(o, "undone: " + o.edit().inverse().describe(), "undo refused: " + o.failures()));
    }

    public void redo() {
        edits.redo(o -> answered(o, "redone: " + o.edit().describe(), "redo refused: " + o.failures()));
    }

    private void answered(EditService.Outcome outcome, String done, String refused) {
        if (outcome.ok()) {
            showStatus(done);
        } else {
            showError(refused);
        }
        answered.set(answered.get() + 1);
    }

    /// Moves `servers` to virtual server `to` (on its port when its id has one); those already
    /// there stay.
    public void move(List<RealServerRef> servers, String to) {
        for (var s : servers) {
            if (s.virtualServer().equals(to)) {
                continue;
            }
            var port = s.model().portProperty().get();
            var toPort = portOf(to).orElse(port);
            submit(new Edit.Move(s.virtualServer(), s.realServer(), to, Objects.equals(toPort, port) ? null : toPort, port));
        }
    }

    /// A real server the palette offers ready-made (the lab's spares): dragged onto a virtual
    /// server, it is added there without a question.
    public record Spare(String label, NewServer server) {
    }

    /// Offers `offered` in the palette from now on (replacing what was offered).
    public void offerSpares(List<Spare> offered) {
        spares.setAll(offered);
    }

    /// The ready-made real servers the palette offers.
    public ObservableList<Spare> spares() {
        return sparesView;
    }

    /// Adds `server` to virtual server `vsId`, on the virtual server's port unless it names one.
    public void add(String vsId, NewServer server) {
        submit(new Edit.Add(vsId, server.address(), server.port() != null ? server.port() : portOf(vsId).orElse(null),
                server.weight()));
    }

    public void remove(List<RealServerRef> servers) {
        for (var s : servers) {
            var r = s.model();
            submit(new Edit.Remove(s.virtualServer(), s.realServer(), r.addressProperty().get(), r.portProperty().get(),
                    r.weightProperty().get()));
        }
    }

    /// Drains `servers` (weight 0), or gives them weight 1 again when `clicked`, the one the
    /// operator asked on, is drained.
    public void toggleDrain(RealServerModel clicked, List<RealServerRef> servers) {
        int weight = clicked.weightProperty().get() == 0 ? 1 : 0;
        for (var s : servers) {
            submit(new Edit.SetWeight(s.virtualServer(), s.realServer(), weight, s.model().weightProperty().get()));
        }
    }

    /// Sets the weight the operator typed (`text`) for one real server; says so when it is no number.
    public void setWeight(String vsId, String rsId, String text, int current) {
        try {
            submit(new Edit.SetWeight(vsId, rsId, Integer.parseInt(text.strip()), current));
        } catch (NumberFormatException e) {
            showError("\"" + text + "\" is not a weight (0–65535)");
        }
    }

    /// Reads `ADDRESS[:PORT] [WEIGHT]` as the operator typed it; says what is expected when it is not.
    public Optional<NewServer> parseNewServer(String text) {
        var parts = text.strip().split("\\s+");
        try {
            var host = parts[0];
            Integer port = null;
            int colon = host.lastIndexOf(':');
            // One colon only: an IPv6 address without a port has several.
            if (colon > 0 && host.indexOf(':') == colon) {
                port = Integer.parseInt(host.substring(colon + 1));
                host = host.substring(0, colon);
            }
            int weight = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
            return Optional.of(new NewServer(host, port, weight));
        } catch (NumberFormatException e) {
            showError("\"" + text + "\": expected ADDRESS[:PORT] [WEIGHT]");
            return Optional.empty();
        }
    }

    /// For each director whose copy of `vsId` differs from the drift's reference, the edits that
    /// make it match; none when only the VRRP settings differ (no edit reaches them).
    public List<DriftFix> driftFixes(String vsId, Drift drift) {
        var reference = cluster.director(drift.reference()).orElse(null);
        var fixes = new ArrayList<DriftFix>();
        if (reference == null) {
            return fixes;
        }
        for (var other : cluster.directors()) {
            if (other == reference) {
                continue;
            }
            var repair = DriftRepair.edits(vsId, reference, other);
            if (!repair.isEmpty()) {
                fixes.add(new DriftFix(other.name(), reference.name(), repair));
            }
        }
        return fixes;
    }

    public void repair(DriftFix fix) {
        fix.edits().forEach(this::submit);
    }

    /// Connects to `director` again now instead of waiting out the backoff.
    public void reconnectNow(DirectorModel director) {
        director.reconnectNow();
    }

    private void submit(Edit edit) {
        showStatus("sending: " + edit.describe() + "…");
        edits.submit(edit, this::report);
    }

    private void report(EditService.Outcome outcome) {
        if (outcome.ok()) {
            showStatus("applied: " + outcome.edit().describe() + " on " + String.join(", ", outcome.applied()));
        } else {
            showError("refused: " + outcome.edit().describe() + " — " + outcome.failures().entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue()).reduce((a, b) -> a + "; " + b).orElse(""));
        }
        answered.set(answered.get() + 1);
    }

    /// The port of a `proto/address:port` id.
    private static Optional<Integer> portOf(String vsId) {
        int colon = vsId.lastIndexOf(':');
        if (colon < 0 || !vsId.contains("/")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(vsId.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /// Whether the virtual server `vsId` is on an adopted keepalived director: read-only, so it
    /// takes no drop, drag or edit (one copy on such a director is enough: an edit would reach
    /// the others only, and the pair would drift).
    public boolean readOnly(String vsId) {
        for (var d : cluster().directors()) {
            if (d.adopted() && d.virtualServer(vsId).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /// "config 12 s · addresses 2 s · IPVS table — · VRRP state 2 s": the age of each piece read
    /// from an adopted director at `now` ("—" for one never read, "!" after one whose last read failed).
    public static String ages(HostReadings readings, Instant now) {
        var parts = new ArrayList<String>();
        for (var r : readings.readings()) {
            parts.add(r.what() + " " + (r.at() == null ? "—" : age(Duration.between(r.at(), now)))
                    + (r.problem() != null ? " !" : ""));
        }
        return String.join(" · ", parts);
    }

    /// Each piece with its problem, for the tooltip.
    public static String readingsDetail(HostReadings readings) {
        var lines = new ArrayList<String>();
        lines.add(readings.software() + ", adopted read-only over SSH: Pharos changes nothing on this host");
        for (var r : readings.readings()) {
            lines.add(r.what() + ": " + (r.at() == null ? "never read" : "read at " + r.at())
                    + (r.problem() == null ? "" : " — " + r.problem()));
        }
        return String.join("\n", lines);
    }

    private static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s / 3600 + " h";
    }

    // --- how states are drawn (the model's words are read in ShownHealth and ShownRole only)

    /// When `director` is tried again, while it is not live and waits out a backoff.
    public Optional<Instant> nextRetry(DirectorModel director) {
        if (director.linkProperty().get() instanceof LinkState.Retrying r
                && director.livenessProperty().get() != Liveness.LIVE) {
            return Optional.of(r.since().plus(r.retryIn()));
        }
        return Optional.empty();
    }

    /// What [#nextRetry] of `director` follows: watch it to learn when that may have changed.
    public Observable retryChanges(DirectorModel director) {
        return director.linkProperty();
    }

    /// The health shown for a real server reported by several directors: the last of
    /// [ShownHealth]'s order among theirs (down on one is down).
    public ShownHealth health(List<RealServerModel> perDirector) {
        return ShownHealth.over(perDirector);
    }

    /// The role `instance` reports.
    public ShownRole role(InstanceModel instance) {
        return ShownRole.of(instance);
    }

    /// The role of `director`'s instance that holds `vip`, if one does.
    public Optional<ShownRole> roleOf(DirectorModel director, String vip) {
        return ShownRole.ofVip(director, vip);
    }

    // --- several active directors announcing a VIP (ECMP)

    /// How `director` stands with `vip` (an address) when it announces it through its routing
    /// daemon; empty when it does not (a VRRP director, or another VIP).
    public Optional<ShownAnnouncement> announcementOf(DirectorModel director, String vip) {
        var all = director.announcementsProperty().get();
        return director.announcement(vip).map(v -> ShownAnnouncement.of(all, v));
    }

    /// Whether `director` announces VIPs through a routing daemon (it can be taken out of service).
    public boolean announces(DirectorModel director) {
        return director.announcementsProperty().get() != null;
    }

    /// Whether `director` was taken out of service (its VIPs withdrawn on purpose).
    public boolean outOfService(DirectorModel director) {
        var a = director.announcementsProperty().get();
        return a != null && a.draining();
    }

    /// Whether `director` announces the VIP of virtual server `vsId`: dropping it there after it
    /// was taken out of service puts it back.
    public boolean announcesVipOf(DirectorModel director, String vsId) {
        return director.virtualServer(vsId).flatMap(v -> director.announcement(v.addressProperty().get())).isPresent();
    }

    /// "ECMP · 2 of 3 announce": what a virtual server's card says when its VIP is
    /// announced by directors through their routing daemons; empty for a VRRP-held VIP.
    public Optional<String> ecmpLine(String vip) {
        int carrying = 0;
        int announcing = 0;
        for (var d : cluster.directors()) {
            var shown = announcementOf(d, vip);
            if (shown.isPresent()) {
                carrying++;
                if (shown.get() == ShownAnnouncement.ANNOUNCED && d.livenessProperty().get() == Liveness.LIVE) {
                    announcing++;
                }
            }
        }
        // counted over live directors: a lost one's last report may be stale
        return carrying == 0 ? Optional.empty()
                : Optional.of("ECMP · " + announcing + " of " + carrying + (carrying == 1 ? " announces" : " announce"));
    }

    /// "BGP · bird · announces 192.0.2.10", "out of service · 192.0.2.10 withdrawn": the director
    /// card's line for what it announces; empty when it announces nothing.
    public Optional<String> announceLine(DirectorModel director) {
        var a = director.announcementsProperty().get();
        if (a == null) {
            return Optional.empty();
        }
        var announced = a.vips().stream().filter(v -> Boolean.TRUE.equals(v.announced())).map(v -> v.vip()).toList();
        var withdrawn = a.vips().stream().filter(v -> !Boolean.TRUE.equals(v.announced())).map(v -> v.vip()).toList();
        if (a.draining()) {
            return Optional.of("out of service · " + (announced.isEmpty() ? "all withdrawn"
                    : "withdrawing " + String.join(", ", announced)));
        }
        return Optional.of("BGP · " + a.daemon() + " · " + (announced.isEmpty() ? "announces nothing"
                : "announces " + String.join(", ", announced)) + (withdrawn.isEmpty() ? ""
                        : " · withdrawn " + String.join(", ", withdrawn)));
    }

    /// What the director card's announce line means, and how to change it (its tooltip).
    public String announceMeaning(DirectorModel director) {
        var a = director.announcementsProperty().get();
        if (a == null) {
            return director.name() + " announces no VIP through a routing daemon";
        }
        return a.draining()
                ? "Out of service: " + a.daemon() + " withdrew its VIPs; it serves the flows it has. Drag it onto the "
                        + "VIP's virtual server (or right-click) to announce them again."
                : "Its VIPs are announced by BGP through " + a.daemon() + " once healthy: the router spreads flows over "
                        + "every director that announces them. Drag it onto Out of service (or right-click) to "
                        + "withdraw them gracefully.";
    }

    /// "router upstream: Established" for each BGP session of the director's routing daemon, as
    /// that daemon sees it (the router's own table is not read); empty when it announces nothing.
    public Optional<String> sessionLine(DirectorModel director) {
        var a = director.announcementsProperty().get();
        if (a == null) {
            return Optional.empty();
        }
        if (a.sessions().isEmpty()) {
            return Optional.of("router: no BGP session reported");
        }
        return Optional.of(String.join(" · ", a.sessions().stream()
                .map(s -> "router " + s.name() + ": " + (s.established() ? "up" : s.state())).toList()));
    }

    /// Takes `director` out of service: its routing daemon withdraws every VIP, gracefully (the
    /// flows it has go on; the router sends new ones to the other directors).
    public void takeOutOfService(DirectorModel director) {
        if (!announces(director)) {
            showError(director.name() + " announces no VIP through a routing daemon: nothing to withdraw");
            return;
        }
        submit(new Edit.Drain(director.name(), true));
    }

    /// Puts `director` back in service: each VIP is announced again once its services are healthy.
    public void putBackInService(DirectorModel director) {
        submit(new Edit.Drain(director.name(), false));
    }

    // --- the operator's arrangement

    /// The operator's offsets from the automatic layout, by `director NAME` or `vs ID`.
    public ReadOnlyObjectProperty<Map<String, Point2D>> offsetsProperty() {
        return offsets.getReadOnlyProperty();
    }

    /// Remembers the operator's arrangement in `file` (JSON) and applies the one saved there. The
    /// file is read, and each change written, by a task on the executor.
    public void rememberLayoutIn(Path file) {
        layout = new LayoutStore(file, work, this::showError);
        layoutLoading = true;
        layout.load(saved -> {
            layoutLoading = false;
            // Moves made while it was read were made on the automatic layout: they stand.
            var moved = offsets.get();
            var merged = new HashMap<>(saved);
            merged.putAll(moved);
            offsets.set(Map.copyOf(merged));
            if (!moved.isEmpty()) {
                layout.save(offsets.get());
            }
        });
    }

    /// Moves a director (`director NAME`) or a virtual server (`vs ID`, with its real servers) by
    /// (dx, dy) and saves the arrangement.
    public void moveBy(String key, double dx, double dy) {
        var moved = new HashMap<>(offsets.get());
        moved.merge(key, new Point2D(dx, dy), Point2D::add);
        offsets.set(Map.copyOf(moved));
        if (layout != null && !layoutLoading) {
            layout.save(offsets.get());
        }
    }

    /// The automatic layout of `directors` (each with at most `instances` VRRP instances) and
    /// `virtualServers` (id → its real server ids, in display order) with the operator's offsets applied.
    TopologyLayout.Result arrange(List<String> directors, int instances, Map<String, List<String>> virtualServers) {
        return TopologyLayout.moved(TopologyLayout.compute(directors, instances, virtualServers), offsets.get());
    }

    // --- export

    /// Writes `picture` (the view's snapshot of the whole topology) to `file` as a PNG, by a task on
    /// the executor; the status line says when it is done or why it failed.
    public Task<Void> exportPng(String file, Picture picture) {
        return exportPng(Path.of(file), picture);
    }

    /// As [#exportPng(String, Picture)], to a path.
    public Task<Void> exportPng(Path file, Picture picture) {
        var export = new Task<Void>() {
            {
                updateTitle("exporting " + file);
            }

            @Override
            protected Void call() throws IOException {
                picture.writePng(file);
                return null;
            }
        };
        export.setOnSucceeded(e -> showStatus("exported " + file.toAbsolutePath()));
        export.setOnFailed(e -> showError("export failed: " + export.getException().getMessage()));
        work.execute(export);
        return export;
    }
}
