package dev.pharos.agent.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/// The one way in: read keepalived.conf text (from disk or from memory), parse it, validate it.
/// Every problem is a [Diagnostic] with `file:line:col`; the only exception is [ConfigException].
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /// Loads `file` and everything it includes, with this host's name as config id.
    public static LoadedConfig load(Path file) throws ConfigException {
        return load(file, defaultConfigId());
    }

    /// Loads `file`; `@ID` lines are kept for `configId` only (keepalived's `--config-id`).
    ///
    /// Findings inside a file outside `file`'s directory tree (an include that leads elsewhere)
    /// keep their `file:line:col` but not their message, which could quote that file's text.
    public static LoadedConfig load(Path file, String configId) throws ConfigException {
        return load(file, configId, null);
    }

    /// [#load(Path, String)] reusing the blocks `cache` kept from the load before, and keeping
    /// this load's for the next (the agent's reload; see [ParseCache]). The model is the one a
    /// load without the cache gives, with the same findings at the same positions.
    public static LoadedConfig load(Path file, String configId, ParseCache cache) throws ConfigException {
        var redactor = new Redactor(file);
        try {
            var diagnostics = new ArrayList<Diagnostic>();
            var files = new ArrayList<Path>();
            var loaded = finish(tree(read(SourceReader.load(file, configId), cache), diagnostics, files), diagnostics,
                    cache);
            return new LoadedConfig(loaded.config(), redactor.apply(loaded.warnings()), files);
        } catch (ConfigException e) {
            throw new ConfigException(redactor.apply(e.diagnostics()));
        }
    }

    /// Text a control-channel client sent, as if it were `file` (the agent's configuration file):
    /// includes must resolve inside `file`'s directory tree (see [SourceReader#readConfined]), and
    /// the text and its includes together hold at most `maxBytes`.
    public static LoadedConfig parseConfined(Path file, String text, String configId, long maxBytes)
            throws ConfigException {
        var diagnostics = new ArrayList<Diagnostic>();
        return finish(tree(SourceReader.loadConfined(file, text, configId, maxBytes), diagnostics), diagnostics);
    }

    /// `source`, whose files' texts `cache` takes for its keys.
    private static SourceReader.Source read(SourceReader.Source source, ParseCache cache) {
        if (cache != null) {
            cache.read(source.texts());
        }
        return source;
    }

    /// Replaces the message of each finding in a file outside the tree of the top-level file.
    private static final class Redactor {
        private final Path tree;
        private final Map<Path, Boolean> inside = new HashMap<>();

        Redactor(Path file) {
            Path t;
            try {
                t = SourceReader.tree(file);
            } catch (IOException e) {
                t = file.toAbsolutePath().normalize().getParent();
            }
            this.tree = t;
        }

        List<Diagnostic> apply(List<Diagnostic> found) {
            var out = new ArrayList<Diagnostic>(found.size());
            for (var d : found) {
                if (d.position() == null || tree == null || inside(d.position().file())) {
                    out.add(d);
                } else {
                    out.add(new Diagnostic(d.position(), d.severity(), "a finding in a file outside " + tree
                            + "; its text is not shown (run check-config on that file to see it)"));
                }
            }
            return out;
        }

        private boolean inside(Path file) {
            return inside.computeIfAbsent(file, f -> {
                try {
                    return f.toRealPath().startsWith(tree);
                } catch (IOException e) {
                    return f.toAbsolutePath().normalize().startsWith(tree);
                }
            });
        }
    }

    /// Loads text that is not on disk (an editor buffer, a `config.apply` request) as if it were `file`.
    public static LoadedConfig parse(Path file, String text) throws ConfigException {
        return parse(file, text, defaultConfigId());
    }

    /// [#parse(Path, String)] with `@ID` lines kept for `configId`.
    public static LoadedConfig parse(Path file, String text, String configId) throws ConfigException {
        var diagnostics = new ArrayList<Diagnostic>();
        return finish(tree(SourceReader.load(file, text, Map.of(), configId), diagnostics), diagnostics);
    }

    /// The files `file` reads: itself and every file it includes (for the agent, which notices
    /// when one of them is changed on disk).
    public static Set<Path> files(Path file, String configId) throws ConfigException {
        var out = new LinkedHashSet<Path>();
        out.add(file);
        out.addAll(SourceReader.load(file, configId).files());
        return out;
    }

    /// keepalived's default config id: the node name up to its first dot (`main.c`).
    public static String defaultConfigId() {
        try {
            var name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!name.isEmpty()) {
                int dot = name.indexOf('.');
                return dot < 0 ? name : name.substring(0, dot);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall back to the environment
        }
        var env = System.getenv("HOSTNAME");
        return env == null ? "" : env.split("\\.", 2)[0];
    }

    /// Validates a model that did not come from text (JSON, run-time edits).
    public static List<Diagnostic> validate(KeepalivedConfig config) {
        var out = new ArrayList<Diagnostic>();
        Validator.validate(config, new IdentityHashMap<>(), out);
        return out;
    }

    /// [#validate] of `after`, made from `before` (which passed it) by an edit of its virtual
    /// servers: only the servers the edit made or changed are checked again, and what spans them
    /// all (the same errors, found in a fraction of the time on a large configuration).
    public static List<Diagnostic> validateEdit(KeepalivedConfig before, KeepalivedConfig after) {
        var out = new ArrayList<Diagnostic>();
        Validator.validateEdit(before, after, out);
        return out;
    }

    /// The longest line keepalived 2.2.7 reads whole (its buffer is 1024 bytes with the newline):
    /// the rest of a longer line is read as a new line, so a value is cut and its tail taken for a
    /// keyword (`keepalived -t` then fails). Measured with keepalived -t on this machine.
    static final int KEEPALIVED_MAX_LINE = 1023;

    /// Each line that holds a token ends with an END_OF_LINE token whose column is one past the
    /// line's last character. (A line of only a comment has no tokens and is not seen here.)
    private static void longLines(List<Token> tokens, List<Diagnostic> out) {
        for (var t : tokens) {
            if (t.kind() == Token.Kind.END_OF_LINE && t.position().column() - 1 > KEEPALIVED_MAX_LINE) {
                var p = t.position();
                out.add(Diagnostic.error(new Position(p.file(), p.line(), KEEPALIVED_MAX_LINE + 1), "line of "
                        + (p.column() - 1) + " characters: keepalived reads " + KEEPALIVED_MAX_LINE
                        + " and takes the rest for a new line; shorten it"));
            }
        }
    }

    /// Text held in memory for `file` and for the files it includes (`files`, keyed by the paths
    /// the reader resolves includes to, `file` among them), parsed as [#parse(Path, String, String)]
    /// parses it, with where each virtual and real server is written: the lossless editor
    /// finds the blocks it edits by these positions.
    public static Located locate(Path file, Map<Path, String> files, String configId) throws ConfigException {
        var text = files.get(file);
        if (text == null) {
            throw new ConfigException(Diagnostic.error(new Position(file, 1, 1), "no text for " + file));
        }
        var diagnostics = new ArrayList<Diagnostic>();
        var parsed = parsed(tree(SourceReader.load(file, text, files, configId), diagnostics), diagnostics);
        return new Located(parsed.config(), parsed.positions());
    }

    /// The text of one top-level `virtual_server` block of `file` (from the start of its first
    /// line, comments above it included), read as [#locate] reads it where it stands in the file:
    /// the same model, with positions counted from the block's first line. For an edit that
    /// changed one block of a large file (the rest of the file reads as before). Not validated:
    /// names it refers to are defined elsewhere, and the caller checks the whole model. Throws
    /// when the text has an error or is not exactly one virtual server (the caller then reads the
    /// whole file, which says where and why).
    public static Located locateVirtualServer(Path file, String text, String configId) throws ConfigException {
        var diagnostics = new ArrayList<Diagnostic>();
        var nodes = tree(SourceReader.load(file, text, Map.of(), configId), diagnostics);
        ConfigParser.Parsed parsed;
        try {
            parsed = ConfigParser.parse(nodes, diagnostics);
        } catch (RuntimeException e) {
            diagnostics.add(Diagnostic.error(new Position(file, 1, 1), "internal error while parsing: " + e));
            throw new ConfigException(diagnostics);
        }
        if (diagnostics.stream().anyMatch(Diagnostic::isError)) {
            throw new ConfigException(diagnostics);
        }
        var c = parsed.config();
        if (c.virtualServers().size() != 1 || !c.globalDefs().isEmpty() || !c.vrrpScripts().isEmpty()
                || !c.syncGroups().isEmpty() || !c.vrrpInstances().isEmpty() || !c.virtualServerGroups().isEmpty()
                || !c.extras().isEmpty()) {
            throw new ConfigException(Diagnostic.error(new Position(file, 1, 1), "not one virtual_server block"));
        }
        return new Located(c, parsed.positions());
    }

    /// The block tree of what was read; the reader's warnings and the lines too long for keepalived
    /// go to `diagnostics`. The tokens stay here: the tree keeps only the words, and each caller
    /// passes the source straight in and keeps only the tree, so that the other tokens (braces
    /// and line ends, a third of a large file's memory) can be collected while the tree is parsed.
    private static List<Node> tree(SourceReader.Source source, List<Diagnostic> diagnostics, List<Path> files)
            throws ConfigException {
        files.addAll(source.files());
        return tree(source, diagnostics);
    }

    private static List<Node> tree(SourceReader.Source source, List<Diagnostic> diagnostics) throws ConfigException {
        var tokens = source.tokens();
        var nodes = TreeParser.parse(tokens);
        diagnostics.addAll(source.warnings());
        longLines(tokens, diagnostics);
        return nodes;
    }

    private static LoadedConfig finish(List<Node> nodes, List<Diagnostic> diagnostics) throws ConfigException {
        return finish(nodes, diagnostics, null);
    }

    private static LoadedConfig finish(List<Node> nodes, List<Diagnostic> diagnostics, ParseCache cache)
            throws ConfigException {
        var parsed = parsed(nodes, diagnostics, cache);
        return new LoadedConfig(parsed.config(), diagnostics);
    }

    private static ConfigParser.Parsed parsed(List<Node> nodes, List<Diagnostic> diagnostics)
            throws ConfigException {
        return parsed(nodes, diagnostics, null);
    }

    private static ConfigParser.Parsed parsed(List<Node> nodes, List<Diagnostic> diagnostics, ParseCache cache)
            throws ConfigException {
        ConfigParser.Parsed parsed;
        try {
            parsed = ConfigParser.parse(nodes, diagnostics, cache);
        } catch (RuntimeException e) {
            // A parser bug must still come out as a diagnostic, never as a stack trace.
            var at = nodes.isEmpty() ? null : nodes.getFirst().position();
            diagnostics.add(Diagnostic.error(at, "internal error while parsing: " + e));
            throw new ConfigException(diagnostics);
        }
        if (diagnostics.stream().noneMatch(Diagnostic::isError)) {
            Validator.validate(parsed.config(), parsed.positions(), diagnostics);
        }
        if (diagnostics.stream().anyMatch(Diagnostic::isError)) {
            throw new ConfigException(diagnostics);
        }
        return parsed;
    }
}
