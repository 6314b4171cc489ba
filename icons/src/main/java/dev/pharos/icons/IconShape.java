package dev.pharos.icons;

import java.util.List;
import java.util.stream.Collectors;
import javafx.scene.shape.FillRule;

/// What an SVG source holds once read: the `<path>` elements of a 24×24 icon, in drawing order.
///
/// @param file  the resource the shape was read from, for messages
/// @param paths at least one path
record IconShape(String file, List<Path> paths) {
    /// The side of the square every icon is drawn on.
    static final double GRID = 24;

    IconShape {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException(file + ": an icon needs at least one <path>");
        }
        paths = List.copyOf(paths);
    }

    /// One `<path>`: its `d` attribute, already checked by [PathSyntax], and its fill rule.
    record Path(String data, FillRule fillRule) {
    }

    /// All paths' data joined into one. Drawn with the non-zero rule this is the same picture as
    /// the separate paths, because the sources draw solids clockwise and holes anticlockwise
    /// (see the README); an even-odd path keeps its rule only in [#paths()].
    String combinedData() {
        return paths.stream().map(Path::data).collect(Collectors.joining(" "));
    }
}
