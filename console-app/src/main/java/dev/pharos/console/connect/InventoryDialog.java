package dev.pharos.console.connect;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Optional;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.cell.TextFieldTableCell;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/// Edits one cluster of the inventory: its name and its directors (name, host or
/// `~/.ssh/config` alias, port, user, key file, jump host, agent command). Rows that are not
/// valid are named in the dialog and the OK button does nothing until they are fixed.
public final class InventoryDialog extends Dialog<Inventory.Cluster> {

    /// One editable row.
    public static final class Row {
        final SimpleStringProperty name = new SimpleStringProperty("");
        final SimpleStringProperty host = new SimpleStringProperty("");
        final SimpleStringProperty port = new SimpleStringProperty("");
        final SimpleStringProperty user = new SimpleStringProperty("");
        final SimpleStringProperty key = new SimpleStringProperty("");
        final SimpleStringProperty jump = new SimpleStringProperty("");
        final SimpleStringProperty command = new SimpleStringProperty(DirectorEndpoint.DEFAULT_AGENT_COMMAND);

        static Row of(DirectorEndpoint e) {
            var r = new Row();
            r.name.set(e.name());
            r.host.set(e.host());
            r.port.set(e.port() == 0 ? "" : Integer.toString(e.port()));
            r.user.set(e.user() == null ? "" : e.user());
            r.key.set(e.identityFile() == null ? "" : e.identityFile().toString());
            r.jump.set(e.jumpHost() == null ? "" : e.jumpHost());
            r.command.set(e.agentCommand());
            return r;
        }

        DirectorEndpoint toEndpoint() {
            int p = port.get().isBlank() ? 0 : Integer.parseInt(port.get().strip());
            return new DirectorEndpoint(name.get().strip(), host.get().strip(), p, blankToNull(user.get()),
                    blankToNull(key.get()) == null ? null : Path.of(key.get().strip()), blankToNull(jump.get()),
                    command.get());
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }
    }

    private final TextField clusterName = new TextField();
    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    private final Label problem = new Label();

    public InventoryDialog(Optional<Inventory.Cluster> existing) {
        setTitle("Directors");
        setHeaderText("The directors of this cluster, reached over SSH");
        clusterName.setPromptText("cluster name");
        existing.ifPresent(c -> {
            clusterName.setText(c.name());
            c.directors().forEach(d -> rows.add(Row.of(d)));
        });
        var table = new TableView<>(rows);
        table.setEditable(true);
        table.getColumns().add(column("Name", r -> r.name, 110));
        table.getColumns().add(column("Host or alias", r -> r.host, 150));
        table.getColumns().add(column("Port", r -> r.port, 60));
        table.getColumns().add(column("User", r -> r.user, 80));
        table.getColumns().add(column("Key file", r -> r.key, 180));
        table.getColumns().add(column("Jump host", r -> r.jump, 130));
        table.getColumns().add(column("Agent command", r -> r.command, 190));
        var add = new Button("Add director");
        add.setOnAction(e -> rows.add(new Row()));
        var remove = new Button("Remove");
        remove.setOnAction(e -> rows.removeAll(table.getSelectionModel().getSelectedItems()));
        problem.getStyleClass().add("error");
        getDialogPane().setContent(new VBox(8, clusterName, table, new HBox(8, add, remove), problem));
        getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        getDialogPane().lookupButton(ButtonType.OK).addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            var why = validate();
            if (why != null) {
                problem.setText(why);
                e.consume();
            }
        });
        setResultConverter(b -> b == ButtonType.OK ? build() : null);
    }

    /// Why the rows cannot be saved, or null.
    String validate() {
        if (clusterName.getText() == null || clusterName.getText().isBlank()) {
            return "Give the cluster a name.";
        }
        var names = new java.util.HashSet<String>();
        for (int i = 0; i < rows.size(); i++) {
            try {
                var e = rows.get(i).toEndpoint();
                if (!names.add(e.name())) {
                    return "Row " + (i + 1) + ": the name " + e.name() + " is used twice.";
                }
            } catch (NumberFormatException ex) {
                return "Row " + (i + 1) + ": the port must be a number.";
            } catch (IllegalArgumentException ex) {
                return "Row " + (i + 1) + ": " + ex.getMessage() + ".";
            }
        }
        return null;
    }

    Inventory.Cluster build() {
        var list = new ArrayList<DirectorEndpoint>();
        rows.forEach(r -> list.add(r.toEndpoint()));
        return new Inventory.Cluster(clusterName.getText().strip(), list);
    }

    private static TableColumn<Row, String> column(String title, java.util.function.Function<Row, SimpleStringProperty> p,
            double width) {
        var c = new TableColumn<Row, String>(title);
        c.setCellValueFactory(cell -> p.apply(cell.getValue()));
        c.setCellFactory(TextFieldTableCell.forTableColumn());
        c.setOnEditCommit(e -> p.apply(e.getRowValue()).set(e.getNewValue()));
        c.setPrefWidth(width);
        return c;
    }
}
