package dev.pharos.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/// The log file a test process writes, read whole and waited on.
record LogFile(Path path) {

    String read() {
        try {
            return Files.exists(path) ? Files.readString(path, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean await(Duration deadline, String text) {
        return Netns.await(deadline, () -> read().contains(text));
    }
}
