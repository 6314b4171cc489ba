package dev.pharos.console.configedit;

import dev.pharos.console.configedit.ConfigEditorViewModel.Diagnostic;
import dev.pharos.console.configedit.ConfigEditorViewModel.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Point2D;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Region;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Text;
import javafx.scene.text.TextBoundsType;

/// The configuration's text with its line numbers in a gutter and the agent's findings marked
/// where they are: the number of a line with a finding is marked (`line-error`, `line-warning`)
/// with the messages as its tooltip, the word at the finding's column is underlined, and the
/// message stands after the end of the line.
///
/// A JavaFX [TextArea] underneath (a code editor control such as RichTextFX is not in the build's
/// offline repository): lines do not wrap, so each line of the text is one line on screen, at a
/// fixed height. The gutter and the marks are laid out after the text area, from where its content
/// is on screen, so they follow it as it scrolls; only the visible lines get nodes.
public final class ConfigTextArea extends Region {

    private static final double GUTTER_PADDING = 12;
    private static final int PITCH_LINES = 100;

    private final TextArea area = new TextArea();
    private final Region gutterBackground = new Region();
    private final Overlay gutter = new Overlay(this::layoutGutter);
    private final Overlay marks = new Overlay(this::layoutMarks);
    private final ObservableList<Diagnostic> diagnostics;
    /// Measures line height and text widths in the text area's font (its paragraphs are [Text] nodes too).
    private final Text measure = new Text();
    /// The offset each line starts at, kept with the text.
    private int[] lineStarts = {0};
    private final List<Label> numbers = new ArrayList<>();

    /// @param diagnostics the findings to mark; those not [Diagnostic#inText()] are left out
    ConfigTextArea(ObservableList<Diagnostic> diagnostics) {
        this.diagnostics = diagnostics;
        getStyleClass().add("config-text-area");
        area.setWrapText(false);
        gutterBackground.getStyleClass().add("config-gutter");
        gutter.setId("config-gutter");
        marks.setId("config-marks");
        // The text takes every click: marks are drawings over it.
        marks.setMouseTransparent(true);
        getChildren().addAll(area, gutterBackground, gutter, marks);
        // As the text area's skin lays out its text: each line as tall as the font's rounded
        // ascent and descent (a plain Text's lines are a fraction of a pixel shorter).
        measure.setBoundsType(TextBoundsType.LOGICAL_VERTICAL_CENTER);
        area.textProperty().subscribe(t -> {
            lineStarts = lineStarts(t);
            relayout();
        });
        area.scrollTopProperty().addListener((o, a, b) -> relayout());
        area.scrollLeftProperty().addListener((o, a, b) -> relayout());
        area.fontProperty().addListener((o, a, b) -> requestLayout());
        diagnostics.addListener((ListChangeListener<Diagnostic>) c -> relayout());
    }

    public TextArea area() {
        return area;
    }

    /// The line number labels on screen now, top to bottom (for tests and tools).
    List<Label> visibleNumbers() {
        return numbers.stream().filter(Node::isVisible).toList();
    }

    /// The marks on the text now: underlines and messages.
    List<Node> visibleMarks() {
        return List.copyOf(marks.getChildren());
    }

    private void relayout() {
        gutter.requestLayout();
        marks.requestLayout();
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth();
        double h = getHeight();
        double gw = gutterWidth();
        area.resizeRelocate(gw, 0, Math.max(0, w - gw), h);
        gutterBackground.resizeRelocate(0, 0, gw, h);
        gutter.resizeRelocate(0, 0, gw, h);
        marks.resizeRelocate(gw, 0, Math.max(0, w - gw), h);
        // The text area may have moved its text without changing size (a new font, a scroll bar).
        relayout();
    }

    @Override
    protected double computePrefWidth(double height) {
        return gutterWidth() + area.prefWidth(height);
    }

    @Override
    protected double computePrefHeight(double width) {
        return area.prefHeight(width);
    }

    private double gutterWidth() {
        measure.setFont(area.getFont());
        measure.setText("0".repeat(Math.max(3, String.valueOf(lineStarts.length).length())));
        return Math.ceil(measure.getLayoutBounds().getWidth()) + GUTTER_PADDING + 8;
    }

    /// Where the text's first line starts and how tall a line is, in `in`'s coordinates; null
    /// before the text area has its skin.
    private Lines lines(Node in) {
        if (!(area.lookup(".content") instanceof Region content)) {
            return null;
        }
        var origin = content.localToScene(content.snappedLeftInset(), content.snappedTopInset());
        var local = in.sceneToLocal(origin);
        measure.setFont(area.getFont());
        // The pitch of many lines: a fraction of a pixel off per line would add up down a file.
        measure.setText("\n".repeat(PITCH_LINES - 1));
        return new Lines(local, measure.getLayoutBounds().getHeight() / PITCH_LINES);
    }

    private record Lines(Point2D origin, double height) {
        double top(int line) {
            return origin.getY() + (line - 1) * height;
        }
    }

    private void layoutGutter() {
        var lines = lines(gutter);
        numbers.forEach(n -> n.setVisible(false));
        if (lines == null || lines.height() <= 0) {
            return;
        }
        int first = Math.max(1, (int) Math.floor(-lines.origin().getY() / lines.height()) + 1);
        int last = Math.min(lineStarts.length, (int) Math.ceil((gutter.getHeight() - lines.origin().getY())
                / lines.height()));
        var found = byLine();
        double width = gutter.getWidth();
        for (int line = first, i = 0; line <= last; line++, i++) {
            if (i == numbers.size()) {
                var label = new Label();
                label.getStyleClass().add("line-number");
                label.setAlignment(Pos.CENTER_RIGHT);
                numbers.add(label);
                gutter.getChildren().add(label);
            }
            var label = numbers.get(i);
            label.setText(String.valueOf(line));
            label.setVisible(true);
            var at = found.get(line);
            label.getStyleClass().removeAll("line-error", "line-warning");
            if (at == null) {
                label.setTooltip(null);
            } else {
                boolean error = at.stream().anyMatch(d -> d.severity() == Severity.ERROR);
                label.getStyleClass().add(error ? "line-error" : "line-warning");
                var says = String.join("\n", at.stream().map(Diagnostic::message).toList());
                if (label.getTooltip() == null || !label.getTooltip().getText().equals(says)) {
                    label.setTooltip(new Tooltip(says));
                }
            }
            label.resizeRelocate(0, lines.top(line), width - GUTTER_PADDING / 2, lines.height());
        }
    }

    private void layoutMarks() {
        marks.getChildren().clear();
        var lines = lines(marks);
        if (lines == null || lines.height() <= 0) {
            return;
        }
        var text = area.getText();
        for (var e : byLine().entrySet()) {
            int line = e.getKey();
            double top = lines.top(line);
            if (top + lines.height() < 0 || top > marks.getHeight()) {
                continue;
            }
            var lineText = lineText(text, line);
            var first = e.getValue().getFirst();
            var severity = first.severity().name().toLowerCase(Locale.ROOT);
            for (var d : e.getValue()) {
                int col = Math.clamp(d.column() - 1, 0, lineText.length());
                int end = wordEnd(lineText, col);
                double x = lines.origin().getX() + width(lineText.substring(0, col));
                double w = Math.max(width(lineText.substring(col, end)), width(" "));
                var underline = new Region();
                underline.getStyleClass().addAll("mark-underline", "mark-" + d.severity().name().toLowerCase(Locale.ROOT));
                underline.resizeRelocate(x, top + lines.height() - 2, w, 2);
                marks.getChildren().add(underline);
            }
            var message = new Label(first.message() + (e.getValue().size() > 1 ? " (+" + (e.getValue().size() - 1)
                    + " more)" : ""));
            message.getStyleClass().addAll("mark-message", "mark-" + severity);
            marks.getChildren().add(message);
            // Made during layout: styled now, or it has no size yet.
            message.applyCss();
            double after = lines.origin().getX() + width(lineText) + width("    ");
            message.resizeRelocate(after, top, message.prefWidth(-1), lines.height());
        }
    }

    /// The findings in the text, by line, in the order the agent gave them.
    private Map<Integer, List<Diagnostic>> byLine() {
        var out = new LinkedHashMap<Integer, List<Diagnostic>>();
        for (var d : diagnostics) {
            if (d.inText() && d.line() <= lineStarts.length) {
                out.computeIfAbsent(d.line(), l -> new ArrayList<>()).add(d);
            }
        }
        return out;
    }

    private String lineText(String text, int line) {
        int start = lineStarts[line - 1];
        int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
        return text.substring(start, Math.max(start, end));
    }

    private double width(String s) {
        measure.setText(s);
        return measure.getLayoutBounds().getWidth();
    }

    /// The end of the word at `from` (a finding's column points at a keyword or a value).
    private static int wordEnd(String line, int from) {
        int i = from;
        while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        return i;
    }

    static int[] lineStarts(String text) {
        var starts = new ArrayList<Integer>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /// A layer over the text whose children are placed after the text area is laid out (it comes
    /// after it among the children), clipped to its own bounds.
    private static final class Overlay extends Pane {
        private final Runnable layout;
        private final Rectangle clip = new Rectangle();

        Overlay(Runnable layout) {
            this.layout = layout;
            setPickOnBounds(false);
            setClip(clip);
        }

        @Override
        protected void layoutChildren() {
            clip.setWidth(getWidth());
            clip.setHeight(getHeight());
            layout.run();
        }
    }
}
