package dev.pharos.icons;

import java.util.List;
import javafx.scene.paint.Color;

/// The two colour schemes of the icon nodes. A theme is a pair of stylesheets: the palette
/// (looked-up colours `-pharos-icon`, `-pharos-icon-ok`, `-pharos-icon-danger`,
/// `-pharos-icon-warning`, `-pharos-icon-muted`, `-pharos-icon-accent`, `-pharos-icon-gold`,
/// `-pharos-icon-brand` on `.root`) and the shared mapping of icons to it (`.icon-health-up {
/// -fx-fill: -pharos-icon-ok; }`…). Switching theme is swapping the stylesheets:
///
/// ```java
/// scene.getStylesheets().removeAll(IconTheme.LIGHT.stylesheets());
/// scene.getStylesheets().addAll(IconTheme.DARK.stylesheets());
/// ```
///
/// A console stylesheet added after these may redefine any palette entry or mapping.
public enum IconTheme {
    /// Dark icons for a light background.
    LIGHT("light.css", Color.WHITE),
    /// Light icons for a dark background.
    DARK("dark.css", Color.web("#1e1e1e"));

    private static final String DIRECTORY = "dev/pharos/icons/theme/";

    private final String palette;
    private final Color background;

    IconTheme(String palette, Color background) {
        this.palette = palette;
        this.background = background;
    }

    /// The URLs of the theme's stylesheets, palette first, for `Scene.getStylesheets()`.
    public List<String> stylesheets() {
        return List.of(url(palette), url("icons.css"));
    }

    /// The background the palette was chosen for: every icon colour has a contrast of at least
    /// 3:1 against it (WCAG 2.1, non-text contrast).
    public Color background() {
        return background;
    }

    private static String url(String file) {
        var url = IconTheme.class.getClassLoader().getResource(DIRECTORY + file);
        if (url == null) {
            throw new IllegalStateException(DIRECTORY + file + " is missing from the class path");
        }
        return url.toExternalForm();
    }
}
