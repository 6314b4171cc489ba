package dev.pharos.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pharos.console.connect.Inventory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javafx.stage.Screen;
import javafx.stage.Stage;

/// The main window's size, position, maximised flag and theme, remembered between runs in the
/// user's configuration directory. A saved position that is no longer on any screen (a monitor
/// was unplugged) is ignored rather than opening the window out of sight.
public record WindowState(double x, double y, double width, double height, boolean maximized, boolean dark) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static Path defaultFile() {
        return Inventory.defaultFile().resolveSibling("window.json");
    }

    public static WindowState load(Path file) {
        try {
            return MAPPER.readValue(Files.readString(file), WindowState.class);
        } catch (IOException | RuntimeException e) {
            return new WindowState(Double.NaN, Double.NaN, 1280, 800, false, false);
        }
    }

    public void applyTo(Stage stage) {
        stage.setWidth(Math.max(640, width));
        stage.setHeight(Math.max(480, height));
        if (!Double.isNaN(x) && !Screen.getScreensForRectangle(x, y, 100, 100).isEmpty()) {
            stage.setX(x);
            stage.setY(y);
        }
        stage.setMaximized(maximized);
    }

    public static WindowState of(Stage stage, boolean dark) {
        return new WindowState(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight(), stage.isMaximized(), dark);
    }

    /// Written atomically; failing to remember a window is not worth an error dialog.
    public void save(Path file) {
        try {
            Files.createDirectories(file.getParent());
            var tmp = Files.createTempFile(file.getParent(), ".window", ".tmp");
            Files.writeString(tmp, MAPPER.writeValueAsString(this));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.getLogger(WindowState.class.getName()).log(System.Logger.Level.DEBUG, "window state not saved: {0}",
                    e.getMessage());
        }
    }
}
