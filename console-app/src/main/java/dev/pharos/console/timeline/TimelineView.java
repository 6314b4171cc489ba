package dev.pharos.console.timeline;

import dev.pharos.console.model.TimelineEntry;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToolBar;
import javafx.scene.control.skin.VirtualFlow;
import javafx.scene.layout.BorderPane;

/// A filterable table of the cluster's timeline, newest last, following new entries.
///
/// Built for hundreds of entries a second:
/// - new entries are appended to the table at most once per pulse, as one batch (a pre-layout
///   pulse listener), not one change (and one relayout) per entry; and at most ten batches a
///   second;
/// - the table holds at most [#capacity()] entries, the newest; older ones are dropped and
///   counted, and the count is shown next to the filter;
/// - following the newest entry is one scroll per batch, after it.
///
/// The table keeps what it was given even when the model trims its own list: its window on the
/// past is its capacity, not the model's.
public final class TimelineView extends BorderPane {

    /// How many entries the table holds unless told otherwise.
    public static final int DEFAULT_CAPACITY = 10_000;

    /// The shortest time between two batches. At hundreds of entries a second nobody reads rows
    /// one pulse apart, and every batch lays out and repaints every visible row: ten times a
    /// second rather than sixty.
    static final Duration MIN_BATCH_INTERVAL = Duration.ofMillis(100);

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final RingList<TimelineEntry> rows;
    private final FilteredList<TimelineEntry> filtered;
    private final TableView<TimelineEntry> table = new TableView<>();
    private final ToggleButton follow = new ToggleButton("Follow newest");
    private final Label dropped = new Label();
    /// Entries reported since the last batch, oldest first.
    private final List<TimelineEntry> incoming = new ArrayList<>();
    private VirtualFlow<?> flow;
    private boolean flushQueued;
    private boolean laterQueued;
    private int batches;
    private long lastBatchNanos = System.nanoTime() - MIN_BATCH_INTERVAL.toNanos();
    /// Appends the entries held back by [#MIN_BATCH_INTERVAL] when it has passed (an animation's
    /// end runs in a pulse, before its CSS and layout, like the pulse listener).
    private final javafx.animation.PauseTransition nextBatch = new javafx.animation.PauseTransition();
    /// Entries dropped before they reached the table (more than it holds arrived between pulses).
    private long droppedUnseen;

    public TimelineView(ObservableList<TimelineEntry> entries) {
        this(entries, DEFAULT_CAPACITY);
    }

    /// @param capacity how many of the newest entries the table holds
    public TimelineView(ObservableList<TimelineEntry> entries, int capacity) {
        getStyleClass().add("timeline");
        rows = new RingList<>(capacity);
        filtered = new FilteredList<>(rows, e -> true);
        var text = new TextField();
        text.setPromptText("Filter (text)");
        text.setId("timeline-filter");
        var kind = new ChoiceBox<String>();
        kind.getItems().addAll("all", "vrrp", "health", "edit", "config", "connection", "component", "scenario", "traffic");
        kind.setValue("all");
        Runnable apply = () -> {
            var needle = text.getText() == null ? "" : text.getText().toLowerCase(Locale.ROOT);
            var k = kind.getValue();
            filtered.setPredicate(e -> ("all".equals(k) || e.kind().equals(k))
                    && (needle.isEmpty() || (e.director() + " " + e.subject() + " " + e.text()).toLowerCase(Locale.ROOT)
                            .contains(needle)));
            scrollToNewest();
        };
        text.textProperty().addListener((o, a, b) -> apply.run());
        kind.valueProperty().addListener((o, a, b) -> apply.run());
        follow.setId("timeline-follow");
        follow.setSelected(true);
        follow.selectedProperty().addListener((o, was, now) -> scrollToNewest());
        dropped.setId("timeline-dropped");
        dropped.getStyleClass().add("dropped");
        dropped.managedProperty().bind(dropped.visibleProperty());
        dropped.setVisible(false);
        table.setItems(filtered);
        table.getColumns().add(column("Time", 100, e -> TIME.format(e.at())));
        table.getColumns().add(column("Director", 110, TimelineEntry::director));
        table.getColumns().add(column("Kind", 90, TimelineEntry::kind));
        table.getColumns().add(column("Subject", 180, TimelineEntry::subject));
        var what = column("What happened", 520, TimelineEntry::text);
        table.getColumns().add(what);
        // The last column takes the width the others leave (and the vertical scroll bar): no
        // horizontal scroll bar, which would cover the newest row the flow scrolled into view.
        double others = table.getColumns().stream().filter(c -> c != what).mapToDouble(TableColumn::getPrefWidth).sum();
        what.prefWidthProperty().bind(table.widthProperty().map(w -> Math.max(200, w.doubleValue() - others - 20)));
        table.setPlaceholder(new Label("Nothing has happened yet."));
        table.setRowFactory(t -> new KindRow());
        table.skinProperty().addListener((o, was, now) -> findFlow());
        // Only additions matter: the model trimming its own list does not take rows from the table.
        entries.addListener((ListChangeListener<TimelineEntry>) c -> {
            while (c.next()) {
                if (c.wasAdded()) {
                    incoming.addAll(c.getAddedSubList());
                }
            }
            // Without pulses (a scene whose window is hidden) nothing is appended: keep only what
            // the table could hold anyway.
            if (incoming.size() > 2 * rows.capacity()) {
                int excess = incoming.size() - rows.capacity();
                incoming.subList(0, excess).clear();
                droppedUnseen += excess;
            }
            if (!incoming.isEmpty()) {
                requestFlush();
            }
        });
        nextBatch.setOnFinished(e -> flush());
        Runnable onPulse = this::flush;
        sceneProperty().addListener((obs, old, now) -> {
            if (old != null) {
                old.removePreLayoutPulseListener(onPulse);
            }
            if (now != null) {
                now.addPreLayoutPulseListener(onPulse);
                if (flushQueued) {
                    Platform.requestNextPulse();
                }
            }
        });
        setTop(new ToolBar(text, kind, follow, dropped));
        setCenter(table);
        incoming.addAll(entries);
        flush();
    }

    public TableView<TimelineEntry> table() {
        return table;
    }

    /// How many of the newest entries the table holds.
    public int capacity() {
        return rows.capacity();
    }

    /// How many older entries were dropped from the table to stay within [#capacity()].
    public long droppedCount() {
        return rows.dropped() + droppedUnseen;
    }

    /// Whether the table scrolls to the newest entry as entries arrive (the toolbar's toggle).
    public javafx.beans.property.BooleanProperty followProperty() {
        return follow.selectedProperty();
    }

    /// How many batches were appended to the table so far (for tests that check entries arriving
    /// within one pulse land as one batch).
    int batchCount() {
        return batches;
    }

    /// Asks for a pulse to append what came in. Without a scene (not shown yet) there are no
    /// pulses for this view; the batch is then appended once on the FX thread.
    private void requestFlush() {
        if (flushQueued) {
            return;
        }
        flushQueued = true;
        if (getScene() != null) {
            Platform.requestNextPulse();
        } else if (!laterQueued) {
            laterQueued = true;
            Platform.runLater(() -> {
                laterQueued = false;
                flush();
            });
        }
    }

    /// At a pulse: appends everything that came in since the last batch as one change, then
    /// follows the newest entry once. Within [#MIN_BATCH_INTERVAL] of the last batch, what came
    /// in waits for the interval's end.
    private void flush() {
        flushQueued = false;
        if (incoming.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        long wait = lastBatchNanos + MIN_BATCH_INTERVAL.toNanos() - now;
        if (getScene() != null && wait > 0) {
            flushQueued = true;
            if (nextBatch.getStatus() != javafx.animation.Animation.Status.RUNNING) {
                nextBatch.setDuration(javafx.util.Duration.millis(wait / 1e6));
                nextBatch.playFromStart();
            }
            return;
        }
        lastBatchNanos = now;
        rows.append(incoming);
        incoming.clear();
        batches++;
        long gone = droppedCount();
        if (gone > 0) {
            dropped.setText(String.format(Locale.ROOT, "%,d older entries dropped (the newest %,d kept)", gone,
                    rows.capacity()));
            dropped.setVisible(true);
        }
        scrollToNewest();
    }

    /// Shows the last row that passes the filter, when following. The flow learns a new row count
    /// only when the table lays out, so the table lays out here first (once, however many entries
    /// arrived), then the flow scrolls the newest row into view, whole, at the bottom.
    /// Measured with the pulse logger: moving the flow to its end (`setPosition(1)`), or
    /// scrolling it from within the layout, made the following pulse repaint the whole window;
    /// [TableView#scrollTo] estimates a position from the stale count and left the newest row
    /// half out of view.
    private void scrollToNewest() {
        if (!follow.isSelected() || filtered.isEmpty()) {
            return;
        }
        if (flow == null) {
            table.scrollTo(filtered.size() - 1); // no skin yet: nothing is laid out anyway
            return;
        }
        table.layout();
        flow.scrollTo(filtered.size() - 1);
    }

    /// Finds the table's flow once its skin exists.
    private void findFlow() {
        if (flow == null && table.lookup(".virtual-flow") instanceof VirtualFlow<?> f) {
            flow = f;
        }
    }

    private static TableColumn<TimelineEntry, String> column(String title, double width,
            Function<TimelineEntry, String> value) {
        var c = new TableColumn<TimelineEntry, String>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        return c;
    }

    /// A row styled by its entry's kind (`kind-vrrp`…); the style class changes only when the
    /// kind does (rows are reused for other entries as the table scrolls).
    private static final class KindRow extends TableRow<TimelineEntry> {
        private String kindClass;

        @Override
        protected void updateItem(TimelineEntry item, boolean empty) {
            super.updateItem(item, empty);
            var next = empty || item == null ? null : "kind-" + item.kind();
            if (java.util.Objects.equals(next, kindClass)) {
                return;
            }
            if (kindClass != null) {
                getStyleClass().remove(kindClass);
            }
            if (next != null) {
                getStyleClass().add(next);
            }
            kindClass = next;
        }
    }
}
