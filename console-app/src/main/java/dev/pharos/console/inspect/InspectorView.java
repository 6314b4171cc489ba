package dev.pharos.console.inspect;

import dev.pharos.console.inspect.InspectorViewModel.Row;
import java.util.List;
import java.util.Optional;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import javafx.scene.layout.BorderPane;
import org.controlsfx.control.PropertySheet;

/// Shows the [InspectorViewModel]'s rows as read-only properties in a ControlsFX property sheet,
/// one block per category.
public final class InspectorView extends BorderPane {

    private final PropertySheet sheet = new PropertySheet();

    public InspectorView(InspectorViewModel model) {
        getStyleClass().add("inspector");
        sheet.setModeSwitcherVisible(false);
        sheet.setSearchBoxVisible(false);
        sheet.setMode(PropertySheet.Mode.CATEGORY);
        setCenter(sheet);
        var rows = model.rows();
        rows.addListener((ListChangeListener<Row>) c -> show(rows));
        show(rows);
        setPrefWidth(300);
    }

    private void show(List<Row> rows) {
        sheet.getItems().setAll(rows.stream().<PropertySheet.Item>map(Item::new).toList());
    }

    public PropertySheet sheet() {
        return sheet;
    }

    /// A row as the property sheet reads it: read-only, shown as text.
    private record Item(Row row) implements PropertySheet.Item {
        @Override
        public Class<?> getType() {
            return String.class;
        }

        @Override
        public String getCategory() {
            return row.category();
        }

        @Override
        public String getName() {
            return row.name();
        }

        @Override
        public String getDescription() {
            return row.name();
        }

        @Override
        public Object getValue() {
            return row.value().getValue();
        }

        @Override
        public void setValue(Object ignored) {
            // read-only: edits go through the topology's gestures, which carry a revision
        }

        @Override
        public boolean isEditable() {
            return false;
        }

        @Override
        public Optional<ObservableValue<? extends Object>> getObservableValue() {
            return Optional.of(row.value());
        }
    }
}
