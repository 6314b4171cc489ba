package dev.pharos.console.timeline;

import dev.pharos.console.model.TimelineEntry;
import dev.pharos.console.timeline.TimelineViewModel.KindFilter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import javafx.animation.Animation;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
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
import javafx.util.Duration;
import javafx.util.StringConverter;

/// A filterable table of the cluster's timeline ([TimelineViewModel]), newest last, following new
/// entries.
///
/// Built for hundreds of entries a second:
/// - new entries are appended to the table at most once per pulse, as one batch (a pre-layout
///   pulse listener), not one change (and one relayout) per entry; and at most ten batches a
///   second;
/// - the table holds at most [#capacity()] entries, the newest; older ones are dropped and
///   counted, and the count is shown next to the filter;
/// - following the newest entry is at most one scroll per pulse, after the batch.
public final class TimelineView extends BorderPane {

    /// The shortest time between two batches. At hundreds of entries a second nobody reads rows
    /// one pulse apart, and every batch lays out and repaints every visible row: ten times a
    /// second rather than sixty.
    static final Duration MIN_BATCH_INTERVAL = Duration.millis(100);

    private static final long MIN_BATCH_NANOS = (long) (MIN_BATCH_INTERVAL.toMillis() * 1e6);

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    /// What "What happened" keeps before the other columns shrink, and its least.
    private static final double WHAT_LEAST = 320;
    private static final double WHAT_MIN = 120;
    /// The vertical scroll bar and the table's borders.
    private static final double SCROLL_BAR = 20;

    private final TimelineViewModel model;
    private final TableView<TimelineEntry> table = new TableView<>();
    private final Label dropped = new Label();
    private VirtualFlow<?> flow;
    private boolean flushQueued;
    private boolean laterQueued;
    /// Following wants the newest row in view: done once at the next pulse, however many batches,
    /// filter changes and toggles asked for it since the last.
    private boolean scrollQueued;
    private long lastBatchNanos = System.nanoTime() - MIN_BATCH_NANOS;
    /// Appends the entries held back by [#MIN_BATCH_INTERVAL] when it has passed (an animation's
    /// end runs in a pulse, before its CSS and layout, like the pulse listener).
    private final PauseTransition nextBatch = new PauseTransition();

    public TimelineView(TimelineViewModel model) {
        this.model = model;
        getStyleClass().add("timeline");
        var text = new TextField();
        text.setPromptText("Filter (text)");
        text.setId("timeline-filter");
        text.textProperty().bindBidirectional(model.filterTextProperty());
        var kind = new ChoiceBox<KindFilter>();
        kind.getItems().addAll(KindFilter.values());
        kind.setConverter(new StringConverter<>() {
            @Override
            public String toString(KindFilter k) {
                return k == null ? "" : k.label();
            }

            @Override
            public KindFilter fromString(String label) {
                return KindFilter.valueOf(label.toUpperCase(Locale.ROOT));
            }
        });
        kind.valueProperty().bindBidirectional(model.kindProperty());
        model.filterTextProperty().addListener((o, a, b) -> scrollToNewest());
        model.kindProperty().addListener((o, a, b) -> scrollToNewest());
        var follow = new ToggleButton("Follow newest");
        follow.setId("timeline-follow");
        follow.selectedProperty().bindBidirectional(model.followingProperty());
        model.followingProperty().addListener((o, was, now) -> scrollToNewest());
        dropped.setId("timeline-dropped");
        dropped.getStyleClass().add("dropped");
        dropped.managedProperty().bind(dropped.visibleProperty());
        dropped.setVisible(false);
        model.droppedProperty().addListener((o, was, gone) -> {
            dropped.setText(String.format(Locale.ROOT, "%,d older entries dropped (the newest %,d kept)",
                    gone.longValue(), model.capacity()));
            dropped.setVisible(gone.longValue() > 0);
        });
        table.setItems(model.rows());
        var time = column("Time", 100, e -> TIME.format(e.at()));
        var director = column("Director", 110, TimelineEntry::director);
        var kindColumn = column("Kind", 90, TimelineEntry::kind);
        var subject = column("Subject", 180, TimelineEntry::subject);
        var what = column("What happened", 520, TimelineEntry::text);
        table.getColumns().addAll(List.of(time, director, kindColumn, subject, what));
        // The columns always fit the table (no horizontal scroll bar, which would cover the newest
        // row the flow scrolled into view): the last takes what the others leave; in a narrow
        // table (the lab's tab under the topology) the others give up width first, down to what
        // their usual contents need, so "What happened" keeps a readable share.
        var widths = List.of(new Fit(time, 100, 84), new Fit(director, 110, 84), new Fit(kindColumn, 90, 56),
                new Fit(subject, 180, 96));
        table.widthProperty().addListener((o, was, now) -> fit(widths, what, now.doubleValue()));
        table.setPlaceholder(new Label("Nothing has happened yet."));
        table.setRowFactory(t -> new KindRow());
        table.skinProperty().addListener((o, was, now) -> findFlow());
        model.pendingProperty().addListener((o, was, now) -> {
            if (now) {
                requestFlush();
            }
        });
        nextBatch.setOnFinished(e -> flush());
        Runnable onPulse = this::pulse;
        sceneProperty().addListener((obs, old, now) -> {
            if (old != null) {
                old.removePreLayoutPulseListener(onPulse);
            }
            if (now != null) {
                now.addPreLayoutPulseListener(onPulse);
                if (flushQueued || scrollQueued) {
                    Platform.requestNextPulse();
                }
            }
        });
        setTop(new ToolBar(text, kind, follow, dropped));
        setCenter(table);
        flush();
    }

    public TableView<TimelineEntry> table() {
        return table;
    }

    /// How many of the newest entries the table holds.
    public int capacity() {
        return model.capacity();
    }

    /// How many older entries were dropped from the table to stay within [#capacity()].
    public long droppedCount() {
        return model.droppedProperty().get();
    }

    /// Whether the table scrolls to the newest entry as entries arrive (the toolbar's toggle).
    public BooleanProperty followProperty() {
        return model.followingProperty();
    }

    /// How many batches were appended to the table so far (for tests that check entries arriving
    /// within one pulse land as one batch).
    int batchCount() {
        return model.batchCount();
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

    /// Before a pulse's layout: the batch that came in, then the one scroll asked for.
    private void pulse() {
        flush();
        if (scrollQueued) {
            scrollQueued = false;
            scroll();
        }
    }

    /// Appends everything that came in since the last batch as one change, then follows the
    /// newest entry. Within [#MIN_BATCH_INTERVAL] of the last batch, what came in waits for the
    /// interval's end.
    private void flush() {
        flushQueued = false;
        if (!model.pendingProperty().get()) {
            return;
        }
        long now = System.nanoTime();
        long wait = lastBatchNanos + MIN_BATCH_NANOS - now;
        if (getScene() != null && wait > 0) {
            flushQueued = true;
            if (nextBatch.getStatus() != Animation.Status.RUNNING) {
                nextBatch.setDuration(Duration.millis(wait / 1e6));
                nextBatch.playFromStart();
            }
            return;
        }
        lastBatchNanos = now;
        model.appendIncoming();
        scrollToNewest();
    }

    /// Asks for the newest row to be shown, when following: at the next pulse when the view is in
    /// a scene (so a batch, a filter change and the toggle in one pulse scroll once), at once
    /// otherwise.
    private void scrollToNewest() {
        if (!model.followingProperty().get()) {
            return;
        }
        if (getScene() == null) {
            scroll();
        } else if (!scrollQueued) {
            scrollQueued = true;
            Platform.requestNextPulse();
        }
    }

    /// Shows the last row that passes the filter, when following. The flow learns a new row count
    /// only when the table lays out, so the table lays out here first (once, however many entries
    /// arrived), then the flow scrolls the newest row into view, whole, at the bottom.
    /// Measured with the pulse logger: moving the flow to its end (`setPosition(1)`), or
    /// scrolling it from within the layout, made the following pulse repaint the whole window;
    /// [TableView#scrollTo] estimates a position from the stale count and left the newest row
    /// half out of view.
    private void scroll() {
        var rows = model.rows();
        if (!model.followingProperty().get() || rows.isEmpty()) {
            return;
        }
        if (flow == null) {
            table.scrollTo(rows.size() - 1); // no skin yet: nothing is laid out anyway
            return;
        }
        table.layout();
        flow.scrollTo(rows.size() - 1);
    }

    /// A column's usual width and the least it gives up to in a narrow table.
    private record Fit(TableColumn<TimelineEntry, String> column, double usual, double least) {
    }

    /// Widths for a table `width` wide: the others at their usual widths while "What happened"
    /// keeps at least [#WHAT_LEAST]; narrower, the others shrink in proportion, down to their least.
    private static void fit(List<Fit> others, TableColumn<TimelineEntry, String> what, double width) {
        double room = width - SCROLL_BAR;
        double usual = others.stream().mapToDouble(Fit::usual).sum();
        double least = others.stream().mapToDouble(Fit::least).sum();
        double given = Math.clamp(room - WHAT_LEAST, least, usual);
        double share = usual == least ? 1 : (given - least) / (usual - least);
        for (var f : others) {
            f.column().setPrefWidth(f.least() + share * (f.usual() - f.least()));
        }
        what.setPrefWidth(Math.max(WHAT_MIN, room - given));
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
            if (Objects.equals(next, kindClass)) {
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
