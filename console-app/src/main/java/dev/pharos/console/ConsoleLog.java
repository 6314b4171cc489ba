package dev.pharos.console;

import dev.pharos.console.connect.Inventory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/// Where the console's log goes: everything from INFO up to a file beside the inventory
/// (`~/.config/pharos/console.log`, 1 MB, three generations), and only warnings and errors to the
/// terminal that started it — an operator's terminal is not a log. The Help menu names the file.
/// `-Djava.util.logging.config.file=…` still wins: then nothing here is changed.
public final class ConsoleLog {

    private static final int LIMIT_BYTES = 1 << 20;
    private static final int GENERATIONS = 3;

    private ConsoleLog() {
    }

    /// Sends the log to `file` and warnings to stderr; returns where it went, or a sentence saying
    /// why the file could not be opened (the log then stays on stderr, quietly).
    public static String install(Path file) {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return "as configured by java.util.logging.config.file";
        }
        LogManager.getLogManager().reset();
        var root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        var terminal = new ConsoleHandler();
        terminal.setLevel(Level.WARNING);
        root.addHandler(terminal);
        try {
            Files.createDirectories(file.getParent());
            Handler handler = new FileHandler(file.toString().replace("%", "%%") + ".%g", LIMIT_BYTES, GENERATIONS, true);
            handler.setFormatter(new SimpleFormatter());
            handler.setLevel(Level.INFO);
            root.addHandler(handler);
            return file + ".0";
        } catch (IOException | RuntimeException e) {
            root.log(Level.WARNING, "cannot write the console log to " + file + ": " + e.getMessage());
            return "not written (" + e.getMessage() + ")";
        }
    }

    /// The default place: beside the inventory.
    public static Path defaultFile() {
        return Inventory.defaultFile().resolveSibling("console.log");
    }
}
