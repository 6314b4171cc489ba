package dev.pharos.agent.config;

import java.nio.file.Path;
import java.util.List;

/// A configuration that loaded: the model, and the warnings found on the way (keywords Pharos keeps
/// but does not act on, values keepalived would truncate, …).
///
/// @param files the files it was read from, the configuration file first, then those it
///              includes as the reader resolved them (none for a model that did not come from files)
public record LoadedConfig(KeepalivedConfig config, List<Diagnostic> warnings, List<Path> files) {
    public LoadedConfig {
        warnings = List.copyOf(warnings);
        files = List.copyOf(files);
    }

    /// A configuration that was not read from files.
    public LoadedConfig(KeepalivedConfig config, List<Diagnostic> warnings) {
        this(config, warnings, List.of());
    }
}
