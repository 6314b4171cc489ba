package dev.pharos.console.lab.lesson;

import dev.pharos.console.lab.lesson.LessonViewModel.ObservationRow;
import dev.pharos.console.lab.lesson.LessonViewModel.Seen;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.collections.ListChangeListener;
import javafx.css.PseudoClass;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/// The lessons pane: a lesson to choose, the step's title and narration, what it did to the lab,
/// its observations ticked as they happen, and Back and Next. It shows a [LessonViewModel] and
/// calls its commands.
public final class LessonView extends VBox {

    private static final PseudoClass ERROR = PseudoClass.getPseudoClass("error");

    private final VBox rows = new VBox(2);
    private final BooleanBinding chosen;

    public LessonView(LessonViewModel model) {
        getStyleClass().add("lesson");
        chosen = model.lessonProperty().isNotNull();
        setSpacing(4);
        setPadding(new Insets(6, 0, 6, 0));
        var choice = new ComboBox<>(model.lessons());
        choice.setId("lesson-choice");
        choice.setPromptText("Choose a lesson…");
        choice.setMaxWidth(Double.MAX_VALUE);
        // the choice gives way in a narrow panel, never the buttons
        choice.setMinWidth(100);
        choice.setPrefWidth(220);
        choice.setCellFactory(v -> new TitleCell());
        choice.setButtonCell(new TitleCell());
        choice.valueProperty().addListener((o, was, now) -> {
            if (now != model.lessonProperty().get()) {
                model.choose(now);
            }
        });
        model.lessonProperty().addListener((o, was, now) -> choice.setValue(now));
        HBox.setHgrow(choice, Priority.ALWAYS);

        var step = label("lesson-step", "lesson-step");
        step.textProperty().bind(model.stepTitleProperty());
        var narration = label("lesson-narration", "lesson-narration");
        narration.textProperty().bind(model.narrationProperty());
        var actions = label("lesson-actions", "lesson-actions");
        actions.textProperty().bind(model.actionsProperty());
        actions.visibleProperty().bind(model.actionsProperty().isNotEmpty());
        actions.managedProperty().bind(actions.visibleProperty());
        rows.setId("lesson-observations");
        var message = label("lesson-message", "lesson-message");
        message.textProperty().bind(model.messageProperty());
        model.stateProperty().addListener((o, was, now) -> message.pseudoClassStateChanged(
                ERROR, now == LessonViewModel.State.FAILED));

        var back = new Button("◀ Back");
        back.setId("lesson-back");
        back.disableProperty().bind(model.canBackProperty().not());
        back.setOnAction(e -> model.back());
        back.setTooltip(new Tooltip("Back to the previous step, the lab as it was before this one: the lesson's lab "
                + "restarts and the earlier steps replay"));
        var next = new Button("Next ▶");
        next.setId("lesson-next");
        next.disableProperty().bind(model.canNextProperty().not());
        next.setOnAction(e -> model.next());
        var open = new Button("Open…");
        open.setId("lesson-open");
        open.setOnAction(e -> LessonChooser.ask(getScene().getWindow(), model));
        open.setTooltip(new Tooltip("Open a lesson file of your own (its lab's files beside it)"));
        // Back and Next beside the choice: they stay in view however long the narration is
        var title = new Label("Lesson");
        for (var fixed : new Region[] {title, back, next, open}) {
            fixed.setMinWidth(Region.USE_PREF_SIZE);
        }
        var pick = new HBox(6, title, choice, back, next, open);
        pick.setAlignment(Pos.CENTER_LEFT);

        var body = new VBox(4, step, narration, actions, rows);
        body.visibleProperty().bind(model.lessonProperty().isNotNull());
        body.managedProperty().bind(body.visibleProperty());
        getChildren().addAll(pick, message, body);
        model.observations().addListener((ListChangeListener<ObservationRow>) c -> showRows(model));
        showRows(model);
    }

    private void showRows(LessonViewModel model) {
        rows.getChildren().clear();
        for (var row : model.observations()) {
            var mark = new Label();
            mark.getStyleClass().add("lesson-mark");
            mark.textProperty().bind(Bindings.createStringBinding(() -> mark(row.seenProperty().get()),
                    row.seenProperty()));
            var l = new Label();
            l.setWrapText(true);
            l.setGraphic(mark);
            l.getStyleClass().add("lesson-observation");
            l.textProperty().bind(Bindings.createStringBinding(() -> row.text() + (row.detailProperty().get().isEmpty()
                    ? "" : " — " + row.detailProperty().get()), row.detailProperty()));
            style(row.seenProperty().get(), l, mark);
            row.seenProperty().addListener((o, was, now) -> style(now, l, mark));
            rows.getChildren().add(l);
        }
    }

    private static String mark(Seen seen) {
        return switch (seen) {
            case PENDING -> "…";
            case SEEN -> "✓";
            case MISSED -> "✗";
        };
    }

    private static void style(Seen seen, Label... labels) {
        for (var l : labels) {
            l.getStyleClass().removeAll("pending", "seen", "missed");
            l.getStyleClass().add(seen.name().toLowerCase(Locale.ROOT));
        }
    }

    private static Label label(String id, String styleClass) {
        var l = new Label();
        l.setId(id);
        l.setWrapText(true);
        l.getStyleClass().add(styleClass);
        return l;
    }

    /// A lesson by its title.
    private static final class TitleCell extends ListCell<Lesson> {
        @Override
        protected void updateItem(Lesson item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty || item == null ? null : item.title());
        }
    }

    /// Whether a lesson is chosen: the window keeps the pane in view while one is.
    public BooleanBinding chosen() {
        return chosen;
    }
}
