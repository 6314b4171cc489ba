package dev.pharos.console;

import javafx.application.Application;

/// Plain entry point: JavaFX on the class path refuses to start when the main class itself
/// extends `Application`, so this class sends the log to its file ([ConsoleLog]) and hands over
/// to [PharosApp], which shows where the log went in its Help menu.
public final class Launcher {
    /// The system property through which the Help menu learns where the log goes.
    static final String LOG_PROPERTY = "pharos.console.log";

    private Launcher() {
    }

    public static void main(String[] args) {
        System.setProperty(LOG_PROPERTY, ConsoleLog.install(ConsoleLog.defaultFile()));
        Application.launch(PharosApp.class, args);
    }
}
