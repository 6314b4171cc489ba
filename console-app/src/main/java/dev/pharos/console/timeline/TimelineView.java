package dev.pharos.console.timeline;

import dev.pharos.console.model.TimelineEntry;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToolBar;
import javafx.scene.layout.BorderPane;

/// A filterable table of the cluster's timeline, newest last, following new entries.
public final class TimelineView extends BorderPane {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final TableView<TimelineEntry> table = new TableView<>();

    public TimelineView(ObservableList<TimelineEntry> entries) {
        getStyleClass().add("timeline");
        var filtered = new FilteredList<>(entries, e -> true);
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
        };
        text.textProperty().addListener((o, a, b) -> apply.run());
        kind.valueProperty().addListener((o, a, b) -> apply.run());
        table.setItems(filtered);
        table.getColumns().add(column("Time", 100, e -> TIME.format(e.at())));
        table.getColumns().add(column("Director", 110, TimelineEntry::director));
        table.getColumns().add(column("Kind", 90, TimelineEntry::kind));
        table.getColumns().add(column("Subject", 180, TimelineEntry::subject));
        table.getColumns().add(column("What happened", 520, TimelineEntry::text));
        table.setPlaceholder(new javafx.scene.control.Label("Nothing has happened yet."));
        table.setRowFactory(t -> new javafx.scene.control.TableRow<>() {
            @Override
            protected void updateItem(TimelineEntry item, boolean empty) {
                super.updateItem(item, empty);
                getStyleClass().removeIf(c -> c.startsWith("kind-"));
                if (!empty && item != null) {
                    getStyleClass().add("kind-" + item.kind());
                }
            }
        });
        entries.addListener((javafx.collections.ListChangeListener<TimelineEntry>) c -> {
            if (!filtered.isEmpty()) {
                table.scrollTo(filtered.size() - 1);
            }
        });
        setTop(new ToolBar(text, kind));
        setCenter(table);
    }

    public TableView<TimelineEntry> table() {
        return table;
    }

    private static TableColumn<TimelineEntry, String> column(String title, double width,
            java.util.function.Function<TimelineEntry, String> value) {
        var c = new TableColumn<TimelineEntry, String>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        return c;
    }
}
