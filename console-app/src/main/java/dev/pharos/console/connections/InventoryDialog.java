package dev.pharos.console.connections;

import java.util.List;
import java.util.function.Function;
import javafx.beans.property.StringProperty;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.cell.ChoiceBoxTableCell;
import javafx.scene.control.cell.TextFieldTableCell;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/// Edits one cluster of the inventory ([InventoryViewModel]): its name and its directors. Rows that
/// are not valid are named in the dialog and the OK button does nothing until they are fixed. It
/// answers OK or Cancel; the caller takes the cluster from the view model.
public final class InventoryDialog extends Dialog<ButtonType> {

    public InventoryDialog(InventoryViewModel model) {
        setTitle("Directors");
        setHeaderText("The directors of this cluster, reached over SSH");
        var clusterName = new TextField();
        clusterName.setPromptText("cluster name");
        clusterName.textProperty().bindBidirectional(model.clusterNameProperty());
        var table = new TableView<>(model.rows());
        table.setEditable(true);
        table.getColumns().add(column("Name", InventoryViewModel.Row::nameProperty, 110));
        table.getColumns().add(column("Host or alias", InventoryViewModel.Row::hostProperty, 150));
        table.getColumns().add(column("Port", InventoryViewModel.Row::portProperty, 60));
        table.getColumns().add(column("User", InventoryViewModel.Row::userProperty, 80));
        table.getColumns().add(column("Key file", InventoryViewModel.Row::keyProperty, 180));
        table.getColumns().add(column("Jump host", InventoryViewModel.Row::jumpProperty, 130));
        table.getColumns().add(column("Agent command", InventoryViewModel.Row::commandProperty, 190));
        var kind = new TableColumn<InventoryViewModel.Row, String>("Runs");
        kind.setCellValueFactory(cell -> cell.getValue().kindProperty());
        kind.setCellFactory(ChoiceBoxTableCell.forTableColumn(
                InventoryViewModel.Row.KINDS.toArray(String[]::new)));
        kind.setOnEditCommit(e -> e.getRowValue().kindProperty().set(e.getNewValue()));
        kind.setPrefWidth(100);
        table.getColumns().add(kind);
        var add = new Button("Add director");
        add.setOnAction(e -> model.addRow());
        var remove = new Button("Remove");
        remove.setOnAction(e -> model.removeRows(List.copyOf(table.getSelectionModel().getSelectedItems())));
        var problem = new Label();
        problem.getStyleClass().add("error");
        getDialogPane().setContent(new VBox(8, clusterName, table, new HBox(8, add, remove), problem));
        getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        getDialogPane().lookupButton(ButtonType.OK).addEventFilter(ActionEvent.ACTION, e -> model.problem()
                .ifPresent(why -> {
                    problem.setText(why);
                    e.consume();
                }));
    }

    private static TableColumn<InventoryViewModel.Row, String> column(String title,
            Function<InventoryViewModel.Row, StringProperty> p, double width) {
        var c = new TableColumn<InventoryViewModel.Row, String>(title);
        c.setCellValueFactory(cell -> p.apply(cell.getValue()));
        c.setCellFactory(TextFieldTableCell.forTableColumn());
        c.setOnEditCommit(e -> p.apply(e.getRowValue()).set(e.getNewValue()));
        c.setPrefWidth(width);
        return c;
    }
}
