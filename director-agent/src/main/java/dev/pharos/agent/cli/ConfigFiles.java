package dev.pharos.agent.cli;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigJson;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.Diagnostic;
import dev.pharos.agent.config.LoadedConfig;
import dev.pharos.agent.config.Position;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/// Loads a configuration named on the command line: keepalived.conf, or its JSON form when the
/// file name ends in `.json`.
final class ConfigFiles {

    private ConfigFiles() {
    }

    /// @param configId keepalived's `--config-id`, or null for its default (the host name)
    static LoadedConfig load(Path file, String configId) throws ConfigException {
        if (file.getFileName() != null && file.getFileName().toString().endsWith(".json")) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException(Diagnostic.error(new Position(file, 1, 1), "cannot read " + file + ": "
                        + (e instanceof NoSuchFileException ? "no such file" : e.getMessage())));
            }
            return new LoadedConfig(ConfigJson.fromJson(text, file), List.of());
        }
        return ConfigLoader.load(file, configId != null ? configId : ConfigLoader.defaultConfigId());
    }

    static void print(PrintWriter err, List<Diagnostic> diagnostics) {
        diagnostics.forEach(d -> err.println(d));
        err.flush();
    }
}
