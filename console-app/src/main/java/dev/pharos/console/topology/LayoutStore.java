package dev.pharos.console.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javafx.concurrent.Task;
import javafx.geometry.Point2D;

/// The file that keeps the operator's arrangement of one cluster's topology: per director or
/// virtual server (`director NAME`, `vs ID`), its offset from the automatic layout, as JSON
/// (`{"vs tcp/…:80": {"dx": 120, "dy": 60}}`). Reading and writing run as tasks on the executor;
/// the methods are called, and their callbacks run, on the FX thread.
final class LayoutStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Executor work;
    private final Consumer<String> onError;
    /// The newest arrangement not written yet; tasks take it under [#writing], so two writes never
    /// interleave and the last arrangement is the one that stays on disk.
    private final AtomicReference<Map<String, Point2D>> unsaved = new AtomicReference<>();
    private final Object writing = new Object();

    /// @param onError shows what went wrong (the status line)
    LayoutStore(Path file, Executor work, Consumer<String> onError) {
        this.file = file;
        this.work = work;
        this.onError = onError;
    }

    /// Reads the saved arrangement and hands it to `then`: empty when there is none yet, or when
    /// it is unreadable (that is then shown as an error).
    void load(Consumer<Map<String, Point2D>> then) {
        var read = new Task<Map<String, Point2D>>() {
            {
                updateTitle("reading the layout " + file);
            }

            @Override
            protected Map<String, Point2D> call() throws IOException {
                return read(file);
            }
        };
        read.setOnSucceeded(e -> then.accept(read.getValue()));
        read.setOnFailed(e -> {
            onError.accept("the saved layout " + file + " is unreadable; using the automatic one");
            then.accept(Map.of());
        });
        work.execute(read);
    }

    /// Writes `arrangement` (an immutable copy) by a task on the executor.
    void save(Map<String, Point2D> arrangement) {
        unsaved.set(arrangement);
        var write = new Task<Void>() {
            {
                updateTitle("saving the layout " + file);
            }

            @Override
            protected Void call() throws IOException {
                synchronized (writing) {
                    var layout = unsaved.getAndSet(null);
                    if (layout != null) {
                        write(file, layout);
                    }
                }
                return null;
            }
        };
        write.setOnFailed(e -> onError.accept("the layout could not be saved: " + write.getException().getMessage()));
        work.execute(write);
    }

    private static Map<String, Point2D> read(Path file) throws IOException {
        var offsets = new LinkedHashMap<String, Point2D>();
        if (Files.exists(file)) {
            var tree = JSON.readTree(file.toFile());
            tree.properties().forEach(e -> offsets.put(e.getKey(),
                    new Point2D(e.getValue().path("dx").asDouble(), e.getValue().path("dy").asDouble())));
        }
        return offsets;
    }

    /// Replaces `file` through a temporary file moved into place: a reader never sees half of it.
    private static void write(Path file, Map<String, Point2D> offsets) throws IOException {
        var root = JSON.createObjectNode();
        new TreeMap<>(offsets).forEach((k, v) -> root.putObject(k).put("dx", v.getX()).put("dy", v.getY()));
        var dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        var tmp = Files.createTempFile(dir, ".layout", ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
