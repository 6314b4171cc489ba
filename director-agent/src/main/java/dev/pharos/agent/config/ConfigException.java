package dev.pharos.agent.config;

import java.util.List;
import java.util.stream.Collectors;

/// A configuration that cannot be used, with every error (and the warnings found on the way).
/// The only exception the lexer, parser and validator throw.
public final class ConfigException extends Exception {

    private final transient List<Diagnostic> diagnostics;

    public ConfigException(List<Diagnostic> diagnostics) {
        super(diagnostics.stream().filter(Diagnostic::isError).map(Diagnostic::toString)
                .collect(Collectors.joining("\n")));
        this.diagnostics = List.copyOf(diagnostics);
    }

    public ConfigException(Diagnostic diagnostic) {
        this(List.of(diagnostic));
    }

    /// Errors and warnings in the order they were found.
    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    public List<Diagnostic> errors() {
        return diagnostics.stream().filter(Diagnostic::isError).toList();
    }
}
