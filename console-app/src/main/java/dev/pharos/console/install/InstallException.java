package dev.pharos.console.install;

import java.io.IOException;

/// A step of adding a director failed on the host; the message says which command, what it
/// printed and what was undone.
public final class InstallException extends IOException {

    public InstallException(String message) {
        super(message);
    }
}
