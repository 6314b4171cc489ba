package dev.pharos.console.lab.lesson;

/// A lesson file that does not read: the message starts with `file:line:col:`, as the agent's
/// configuration errors do, so a trainer finds the place at once.
public final class LessonException extends Exception {

    public LessonException(String file, int line, int column, String message) {
        super(file + ":" + line + ":" + column + ": " + message);
    }
}
