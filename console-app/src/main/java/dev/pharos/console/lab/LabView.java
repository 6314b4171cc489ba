package dev.pharos.console.lab;

import dev.pharos.console.lab.LabViewModel.Ownership;
import dev.pharos.console.lab.LabViewModel.StepState;
import dev.pharos.console.lab.LabViewModel.TrafficState;
import dev.pharos.console.model.ServedAs;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.collections.ListChangeListener;
import javafx.geometry.HPos;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Separator;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/// The lab's side of the workspace, laid out so a class sees it all at once beside the topology
/// (1024×700 and up): the scenario controls as compact rows (one per director, one per real
/// server), who holds each VIP with the clients' last answer, how the lab differs from a real
/// director, and, in a fixed area at the bottom, why the last VRRP transition happened. It shows
/// a [LabViewModel] and calls its commands; a refusal shows in the window's status line ([LabPanel]).
///
/// Two places are left for others to fill: [#lessonSlot()], which the window shows as the
/// first tab under the topology (a lesson's narration with Next and Back), and [#speedSlot()], under the step-by-step
/// row (the lab's speed). The whole list of explanations is [#history()], for the window's tabs.
public final class LabView extends VBox {

    private final Map<String, Label> perVip = new LinkedHashMap<>();
    private final VBox lessonSlot = new VBox(6);
    private final HBox speedSlot = new HBox(6);
    private final BooleanProperty lessonChosen = new SimpleBooleanProperty(this, "lessonChosen");
    private final ListView<String> history;

    public LabView(LabViewModel model, Runnable loadPair) {
        getStyleClass().add("lab");
        setId("lab-view");
        setSpacing(6);
        setPadding(new Insets(8));
        lessonSlot.setId("lab-lesson-slot");
        lessonSlot.getStyleClass().add("lab-lesson-slot");
        // empty, it takes no room above the topology
        lessonSlot.managedProperty().bind(Bindings.isNotEmpty(lessonSlot.getChildren()));
        lessonSlot.visibleProperty().bind(lessonSlot.managedProperty());
        speedSlot.setId("lab-speed-slot");
        speedSlot.setAlignment(Pos.CENTER_LEFT);
        speedSlot.getChildren().add(new LabSpeedView(model.speed()));

        var title = new Label("Training lab");
        title.getStyleClass().add("lab-title");
        title.setTooltip(new Tooltip(model.title() + ", running in this console"));
        var load = button("Load a pair…", "lab-load", loadPair);
        load.setTooltip(new Tooltip("Run two keepalived.conf files of your own as the lab"));
        var spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        var header = new HBox(6, title, spacer, load);
        header.setAlignment(Pos.CENTER_LEFT);

        getChildren().addAll(header, stepControls(model), new Separator(), directorControls(model),
                realServerControls(model), linkAndClients(model), new Separator(), owners(model));

        var note = new Label();
        note.setId("lab-proxied-note");
        note.getStyleClass().add("lab-note");
        note.setWrapText(true);
        note.textProperty().bind(model.proxiedNoteProperty());
        note.setTooltip(new Tooltip("proxied: " + ServedAs.PROXIED.meaning()));
        note.visibleProperty().bind(model.proxiedNoteProperty().isNotEmpty());
        note.managedProperty().bind(note.visibleProperty());
        getChildren().add(note);

        getChildren().addAll(new Separator(), explanation(model));
        history = new ListView<>(model.explanations());
        history.setId("lab-explanations");
        history.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                setWrapText(true);
                setPrefWidth(0);
            }
        });
        history.setPlaceholder(new Label("Each VRRP transition will be explained here."));
        // The newest comes first: show it, wherever the list was scrolled to.
        model.explanations().addListener((ListChangeListener<String>) c -> history.scrollTo(0));
    }

    /// Step by step, its Continue, the instances it pauses on, and the speed slot.
    private Node stepControls(LabViewModel model) {
        var step = new CheckBox("Step by step");
        step.setId("lab-step");
        step.setMnemonicParsing(false);
        step.setTooltip(new Tooltip("Pause at each VRRP transition and explain it; Continue runs to the next"));
        step.selectedProperty().addListener((o, a, on) -> model.stepping(on));
        var proceed = button("Continue", "lab-continue", model::resume);
        proceed.disableProperty().bind(model.stepStateProperty().isNotEqualTo(StepState.PAUSED));
        var row = new HBox(8, step, proceed);
        row.setAlignment(Pos.CENTER_LEFT);
        // Always there, greyed while step by step is off: showing it would push the rows below down.
        var pauseOn = new FlowPane(8, 4, new Label("Pause on:"));
        for (var instance : model.instanceNames()) {
            var box = new CheckBox(instance);
            box.setId("lab-pause-on-" + instance);
            box.setMnemonicParsing(false); // VI_1, not VI1 with a mnemonic
            box.setSelected(true);
            box.selectedProperty().addListener((o, was, on) -> model.pauseOn(instance, on));
            pauseOn.getChildren().add(box);
        }
        pauseOn.disableProperty().bind(step.selectedProperty().not());
        return new VBox(4, row, speedSlot, pauseOn);
    }

    /// One row per director: stop, kill, start; the instance whose priority to set, and its priority.
    private static Node directorControls(LabViewModel model) {
        var grid = grid("lab-directors");
        int row = 0;
        for (var director : model.directors()) {
            var name = director.name();
            var label = new Label(name);
            label.getStyleClass().add("lab-row-name");
            var stop = button("Stop", "lab-stop-" + name, () -> model.stopDirector(name));
            stop.setTooltip(new Tooltip("Stop " + name + " gracefully: it sends priority 0, its backup takes over "
                    + "after Skew_Time"));
            var kill = button("Kill", "lab-kill-" + name, () -> model.killDirector(name));
            kill.setTooltip(new Tooltip("Kill " + name + " (a crash: no priority 0; its backup waits for "
                    + "Master_Down_Interval)"));
            var start = button("Start", "lab-start-" + name, () -> model.startDirector(name));
            start.setTooltip(new Tooltip("Start " + name + " again"));
            var instance = new ComboBox<String>();
            instance.setId("lab-instance-" + name);
            instance.getItems().addAll(director.instances());
            instance.setValue(director.instanceProperty().get());
            instance.valueProperty().addListener((o, was, now) -> director.select(now));
            instance.setTooltip(new Tooltip("The VRRP instance of " + name + " whose priority Set changes"));
            var priority = new Spinner<Integer>(1, 254, director.priorityProperty().get());
            priority.setEditable(true);
            priority.setPrefWidth(70);
            priority.setId("lab-priority-value-" + name);
            // Starts at the instance's real priority, and follows the instance picked.
            director.priorityProperty().addListener((o, was, now) -> priority.getValueFactory().setValue(now.intValue()));
            var set = button("Set", "lab-priority-" + name, () -> model.setPriority(director, priority.getValue()));
            set.setTooltip(new Tooltip("Set this priority on " + name + " (Ctrl+Z gives the old one back)"));
            set.disableProperty().bind(director.pendingProperty());
            grid.addRow(row++, label, stop, kill, start, instance, priority, set);
        }
        return grid;
    }

    /// One row per real server: fail, restore, drain, undrain.
    private static Node realServerControls(LabViewModel model) {
        var grid = grid("lab-real-servers");
        int row = 0;
        for (var server : model.realServers()) {
            var address = server.address();
            // "web-1 · 198.51.100.66": the name the answers carry, and the address the topology shows
            var label = new Label(server.label().replaceFirst(" .*", "") + " · " + address);
            label.getStyleClass().add("lab-row-name");
            label.setTooltip(new Tooltip(server.label()));
            var fail = button("Fail", "lab-fail-" + address, () -> model.failRealServer(server));
            fail.setTooltip(new Tooltip("Fail " + server.label() + ": it stops answering; its health checks notice"));
            var restore = button("Restore", "lab-restore-" + address, () -> model.restoreRealServer(server));
            var drain = button("Drain", "lab-drain-" + address, () -> model.drain(server));
            drain.setTooltip(new Tooltip("Weight 0 on every director: new connections go elsewhere, open ones finish"));
            var undrain = button("Undrain", "lab-undrain-" + address, () -> model.undrain(server));
            grid.addRow(row++, label, fail, restore, drain, undrain);
        }
        return grid;
    }

    /// Cut and heal the link between the directors; the clients' rate.
    private static Node linkAndClients(LabViewModel model) {
        var cut = button("Cut link", "lab-partition", model::partition);
        cut.setTooltip(new Tooltip("Cut the link between the directors: VRRP adverts no longer pass (split brain)"));
        var heal = button("Heal", "lab-heal", model::heal);
        heal.setTooltip(new Tooltip("Heal the link between the directors"));
        var rate = new Slider(0, 50, model.rateProperty().get());
        rate.setId("lab-rate");
        rate.setPrefWidth(100);
        rate.valueProperty().addListener((o, a, b) -> model.rate(b.doubleValue()));
        var perSecond = new Label();
        perSecond.textProperty().bind(Bindings.format("%.0f req/s", model.rateProperty()));
        perSecond.setMinWidth(Region.USE_PREF_SIZE);
        var spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        var clients = new Label("Clients");
        clients.setTooltip(new Tooltip("Requests per second each VIP's clients send"));
        var row = new HBox(6, cut, heal, spacer, clients, rate, perSecond);
        row.setAlignment(Pos.CENTER_LEFT);
        return row;
    }

    /// Who holds each VIP, by which VRRP group, and the clients' last answer through it.
    private Node owners(LabViewModel model) {
        var grid = new GridPane(8, 2);
        grid.setId("lab-vip-owners");
        grid.getStyleClass().add("lab-vip-owners");
        // the VIP and its group whole; who holds it takes the rest, on two lines in a split brain
        var fixed = new ColumnConstraints();
        fixed.setMinWidth(Region.USE_PREF_SIZE);
        var holders = new ColumnConstraints();
        holders.setHgrow(Priority.ALWAYS);
        grid.getColumnConstraints().addAll(fixed, fixed, holders);
        grid.addRow(0, heading("VIP"), heading("VRRP group"), heading("held by (MASTER)"));
        int row = 1;
        for (var vip : model.vips()) {
            var address = new Label(vip.vip());
            address.getStyleClass().add("lab-row-name");
            var group = new Label();
            group.textProperty().bind(vip.groupProperty());
            var holder = new Label();
            holder.setId(id("lab-owner-" + vip.address()));
            holder.getStyleClass().add("lab-owner");
            holder.setWrapText(true);
            holder.setMinHeight(Region.USE_PREF_SIZE);
            holder.textProperty().bind(vip.holderProperty());
            vip.ownershipProperty().addListener((o, was, now) -> showOwnership(holder, now));
            showOwnership(holder, vip.ownershipProperty().get());
            var answer = new Label();
            answer.getStyleClass().add("lab-vip");
            answer.setWrapText(true);
            answer.setId(id("lab-vip-" + vip.address()));
            answer.textProperty().bind(vip.answerProperty());
            var paths = new Tooltip();
            paths.textProperty().bind(vip.summaryProperty());
            answer.setTooltip(paths);
            vip.stateProperty().addListener((o, was, now) -> {
                answer.getStyleClass().removeAll("ok", "failing");
                if (now != TrafficState.WAITING) {
                    answer.getStyleClass().add(now == TrafficState.ANSWERING ? "ok" : "failing");
                }
            });
            perVip.put(vip.vip(), answer);
            grid.addRow(row++, address, group, holder);
            grid.add(answer, 0, row++, 3, 1);
        }
        return grid;
    }

    private static void showOwnership(Label holder, Ownership ownership) {
        holder.getStyleClass().removeAll("held", "none", "split");
        holder.getStyleClass().add(ownership.name().toLowerCase(Locale.ROOT));
    }

    /// The fixed area for the last transition: the first-run hint, step by step's pause, and the
    /// newest explanation (hidden while paused: the pause explains the transition at hand).
    private static Node explanation(LabViewModel model) {
        var heading = heading("Why it happened");
        var hint = wrapped("lab-hint", "lab-hint");
        hint.textProperty().bind(model.hintProperty());
        hint.visibleProperty().bind(model.hintProperty().isNotEmpty());
        hint.managedProperty().bind(hint.visibleProperty());
        var paused = wrapped("lab-paused", "lab-paused");
        paused.textProperty().bind(model.stepMessageProperty());
        paused.visibleProperty().bind(model.stepMessageProperty().isNotEmpty());
        paused.managedProperty().bind(paused.visibleProperty());
        var last = wrapped("lab-last-explanation", "lab-explanation-text");
        var explanations = model.explanations();
        last.textProperty().bind(Bindings.createStringBinding(() -> explanations.isEmpty()
                ? "Each VRRP transition will be explained here." : explanations.getFirst(), explanations));
        last.visibleProperty().bind(model.stepStateProperty().isNotEqualTo(StepState.PAUSED));
        last.managedProperty().bind(last.visibleProperty());
        var area = new VBox(4, heading, hint, paused, last);
        area.setId("lab-explanation");
        area.getStyleClass().add("lab-explanation");
        area.setMinHeight(120);
        VBox.setVgrow(area, Priority.ALWAYS);
        return area;
    }

    private static GridPane grid(String id) {
        var grid = new GridPane(4, 4);
        grid.setId(id);
        var names = new ColumnConstraints();
        names.setMinWidth(Region.USE_PREF_SIZE);
        names.setHalignment(HPos.LEFT);
        grid.getColumnConstraints().add(names);
        return grid;
    }

    private static Label heading(String text) {
        var l = new Label(text);
        l.getStyleClass().add("lab-section");
        return l;
    }

    private static Label wrapped(String id, String styleClass) {
        var l = new Label();
        l.setId(id);
        l.getStyleClass().add(styleClass);
        l.setWrapText(true);
        l.setMinHeight(Region.USE_PREF_SIZE);
        return l;
    }

    /// An id a CSS lookup can find: `lab-vip-192-0-2-100`, not `lab-vip-192.0.2.100`;
    /// `lab-vip-2001-db8--100` for 2001:db8::100.
    private static String id(String id) {
        return id.replaceAll("[^A-Za-z0-9-]", "-");
    }

    private static Button button(String text, String id, Runnable action) {
        var b = new Button(text);
        b.setId(id(id));
        b.setMnemonicParsing(false);
        b.setOnAction(e -> action.run());
        b.setMinWidth(Region.USE_PREF_SIZE);
        return b;
    }

    /// Whether the pane in [#lessonSlot()] runs a lesson (its owner binds it): the window then keeps
    /// the lesson in view when a card is clicked.
    public BooleanProperty lessonChosenProperty() {
        return lessonChosen;
    }

    /// Where a lesson's pane goes: the window shows it in the Lesson tab under the topology.
    public VBox lessonSlot() {
        return lessonSlot;
    }

    /// Where the lab's speed control goes: on a row of its own under step by step and Continue.
    public HBox speedSlot() {
        return speedSlot;
    }

    /// Every explanation, newest first (the window shows it in a tab).
    public ListView<String> history() {
        return history;
    }

    /// The label showing a VIP's latest outcome (its first port's), for tests.
    public Label vipLabel(String vip) {
        return perVip.entrySet().stream().filter(e -> e.getKey().startsWith(vip + ":")).map(Map.Entry::getValue)
                .findFirst().orElseThrow();
    }
}
