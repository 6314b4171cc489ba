package dev.pharos.console;

import javafx.application.Application;

/// Plain entry point: JavaFX on the class path refuses to start when the main class itself
/// extends `Application`, so this class only hands over to [PharosApp].
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        Application.launch(PharosApp.class, args);
    }
}
