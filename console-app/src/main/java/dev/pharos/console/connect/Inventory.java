package dev.pharos.console.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/// The operator's clusters of directors, kept as JSON in the user's configuration directory
/// (`$XDG_CONFIG_HOME/pharos/inventory.json`, else `~/.config/pharos/inventory.json`), written
/// atomically (temporary file + rename) so a crash never leaves half a file.
public record Inventory(List<Cluster> clusters) {

    public Inventory {
        clusters = List.copyOf(clusters);
    }

    /// A cluster: the directors that hold one set of VIPs (e.g. lvs-master and lvs-backup).
    public record Cluster(String name, List<DirectorEndpoint> directors) {
        public Cluster {
            directors = List.copyOf(directors);
        }
    }

    public static final Inventory EMPTY = new Inventory(List.of());

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public static Path defaultFile() {
        var xdg = System.getenv("XDG_CONFIG_HOME");
        var base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("pharos").resolve("inventory.json");
    }

    /// The inventory in `file`, [#EMPTY] when there is none; a broken file is an error naming it.
    public static Inventory load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return EMPTY;
        }
        try {
            return MAPPER.readValue(Files.readString(file, StandardCharsets.UTF_8), Inventory.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            var loc = e instanceof JsonProcessingException j && j.getLocation() != null
                    ? ":" + j.getLocation().getLineNr() + ":" + j.getLocation().getColumnNr() : "";
            throw new IOException(file + loc + ": not a Pharos inventory: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }

    public void save(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        var tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".inventory", ".tmp");
        try {
            Files.writeString(tmp, MAPPER.writeValueAsString(this), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
