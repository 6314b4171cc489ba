package dev.pharos.agent.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/// Reads a configuration file into one token stream, expanding `include` lines in place.
///
/// As keepalived does, a relative include pattern is resolved against the directory of the file
/// that contains it, and a pattern may be a glob (`include conf.d/*.conf`), expanded in sorted
/// order. A pattern that matches nothing, an unreadable file and an include cycle are errors.
public final class SourceReader {

    static final int MAX_FILE_BYTES = 16 * 1024 * 1024;
    private static final int MAX_DEPTH = 32;

    private final Function<Path, String> reader;
    private final String configId;
    private final Deque<Path> stack = new ArrayDeque<>();
    private final List<Diagnostic> diagnostics = new ArrayList<>();

    private SourceReader(Function<Path, String> reader, String configId) {
        this.reader = reader;
        this.configId = configId;
    }

    /// Tokens of `file` and everything it includes.
    ///
    /// @param configId keepalived's `--config-id`: a line starting `@ID` is kept only when ID is
    ///                 this one, a line starting `@^ID` only when it is not (keepalived's default
    ///                 is the host name)
    public static List<Token> read(Path file, String configId) throws ConfigException {
        var r = new SourceReader(null, configId);
        var tokens = new ArrayList<Token>();
        r.readFile(file.toAbsolutePath().normalize(), null, tokens);
        if (r.diagnostics.stream().anyMatch(Diagnostic::isError)) {
            throw new ConfigException(r.diagnostics);
        }
        return tokens;
    }

    /// Tokens of text that is not on disk (an editor buffer, an RPC); includes are resolved from
    /// `file`'s directory, or from the in-memory `files` first when they are there.
    public static List<Token> read(Path file, String text, Map<Path, String> files, String configId)
            throws ConfigException {
        var r = new SourceReader(p -> files.get(p), configId);
        var tokens = new ArrayList<Token>();
        r.expand(file, text, tokens);
        if (r.diagnostics.stream().anyMatch(Diagnostic::isError)) {
            throw new ConfigException(r.diagnostics);
        }
        return tokens;
    }

    private void readFile(Path file, Position includedFrom, List<Token> out) {
        if (stack.contains(file)) {
            var chain = new StringBuilder();
            for (var p : stack.reversed()) {
                chain.append(p).append(" -> ");
            }
            chain.append(file);
            diagnostics.add(Diagnostic.error(includedFrom, "include cycle: " + chain));
            return;
        }
        if (stack.size() >= MAX_DEPTH) {
            diagnostics.add(Diagnostic.error(includedFrom, "includes nested deeper than " + MAX_DEPTH + " files"));
            return;
        }
        String text = reader == null ? null : reader.apply(file);
        if (text == null) {
            try {
                if (Files.size(file) > MAX_FILE_BYTES) {
                    diagnostics.add(Diagnostic.error(includedFrom == null ? new Position(file, 1, 1) : includedFrom,
                            file + " is larger than " + MAX_FILE_BYTES / (1024 * 1024) + " MiB; not a configuration file?"));
                    return;
                }
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
            } catch (CharacterCodingException e) {
                diagnostics.add(Diagnostic.error(new Position(file, 1, 1), "the file is not UTF-8 text"));
                return;
            } catch (IOException e) {
                var why = e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
                diagnostics.add(Diagnostic.error(includedFrom == null ? new Position(file, 1, 1) : includedFrom,
                        "cannot read " + file + ": " + why));
                return;
            }
        }
        stack.push(file);
        try {
            expand(file, text, out);
        } finally {
            stack.pop();
        }
    }

    private void expand(Path file, String text, List<Token> out) {
        List<Token> tokens;
        try {
            tokens = Lexer.tokenize(text, file);
        } catch (ConfigException e) {
            diagnostics.addAll(e.diagnostics());
            return;
        }
        boolean pushed = stack.isEmpty() || !stack.peek().equals(file);
        if (pushed) {
            stack.push(file);
        }
        try {
            int i = 0;
            while (i < tokens.size()) {
                var t = tokens.get(i);
                boolean lineStart = i == 0 || tokens.get(i - 1).kind() == Token.Kind.END_OF_LINE;
                if (lineStart && t.kind() == Token.Kind.WORD && !t.quoted() && t.text().startsWith("@")) {
                    var id = t.text().substring(1);
                    boolean negated = id.startsWith("^");
                    if (negated) {
                        id = id.substring(1);
                    }
                    if (id.equals(configId) != negated) {
                        i++;
                        continue;
                    }
                    while (i < tokens.size() && tokens.get(i).kind() != Token.Kind.END_OF_LINE) {
                        i++;
                    }
                    i++;
                    continue;
                }
                if (lineStart && t.isWord("include")) {
                    int j = i + 1;
                    var patterns = new ArrayList<Token>();
                    while (j < tokens.size() && tokens.get(j).kind() == Token.Kind.WORD) {
                        patterns.add(tokens.get(j));
                        j++;
                    }
                    if (patterns.isEmpty()) {
                        diagnostics.add(Diagnostic.error(t.position(), "include needs a file name or glob pattern"));
                    }
                    for (var pattern : patterns) {
                        include(file, pattern, out);
                    }
                    // skip the rest of the include line (a stray brace there is an error)
                    while (j < tokens.size() && tokens.get(j).kind() != Token.Kind.END_OF_LINE) {
                        diagnostics.add(Diagnostic.error(tokens.get(j).position(), "unexpected '"
                                + tokens.get(j).text() + "' after include"));
                        j++;
                    }
                    i = j + 1;
                    continue;
                }
                out.add(t);
                i++;
            }
        } finally {
            if (pushed) {
                stack.pop();
            }
        }
    }

    private void include(Path from, Token pattern, List<Token> out) {
        var dir = from.toAbsolutePath().getParent();
        var raw = pattern.text();
        Path target = dir == null ? Path.of(raw) : dir.resolve(raw);
        target = target.normalize();
        List<Path> matches;
        if (!hasGlob(raw)) {
            matches = List.of(target);
        } else {
            matches = glob(target);
            if (matches.isEmpty()) {
                diagnostics.add(Diagnostic.error(pattern.position(), "include pattern " + raw + " matches no file"));
                return;
            }
        }
        for (var m : matches) {
            readFile(m, pattern.position(), out);
        }
    }

    private static boolean hasGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    private static List<Path> glob(Path pattern) {
        // Walk from the deepest directory without glob characters, as deep as the pattern reaches.
        var root = pattern.getRoot();
        var base = root == null ? Path.of("") : root;
        int depth = 0;
        boolean globSeen = false;
        for (var part : pattern) {
            if (!globSeen && !hasGlob(part.toString())) {
                base = base.resolve(part);
            } else {
                globSeen = true;
                depth++;
            }
        }
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        var matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern.toString().replace("\\", "\\\\"));
        try (Stream<Path> walk = Files.walk(base, depth)) {
            return walk.filter(p -> Files.isRegularFile(p) && matcher.matches(p)).sorted().toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }
}
