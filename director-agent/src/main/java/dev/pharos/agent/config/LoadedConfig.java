package dev.pharos.agent.config;

import java.util.List;

/// A configuration that loaded: the model, and the warnings found on the way (keywords Pharos keeps
/// but does not act on, values keepalived would truncate, …).
public record LoadedConfig(KeepalivedConfig config, List<Diagnostic> warnings) {
    public LoadedConfig {
        warnings = List.copyOf(warnings);
    }
}
