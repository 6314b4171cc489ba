package dev.pharos.agent.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
///
/// An include is read only when it is a regular file of at most [#MAX_FILE_BYTES] (a device
/// reports size 0 and never ends, a FIFO blocks, a file can grow while it is read), with memory
/// bounded by that size, and all files together at most [#MAX_TOTAL_BYTES]. Text that came
/// through the control channel ([#readConfined]) may include only files whose real path lies
/// inside the directory tree of the agent's configuration file: a client must not read the
/// agent's files through the diagnostics, and an error names the include, never the file's text.
public final class SourceReader {

    static final int MAX_FILE_BYTES = 16 * 1024 * 1024;
    /// All files of one configuration together.
    static final long MAX_TOTAL_BYTES = 32L * 1024 * 1024;
    private static final int MAX_DEPTH = 32;

    private final Function<Path, String> reader;
    private final String configId;
    /// The real path of the directory tree includes must stay inside, or null when they may go anywhere.
    private final Path confinedTo;
    private final Deque<Path> stack = new ArrayDeque<>();
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private long totalBytes;
    /// The most all files together may hold: [#MAX_TOTAL_BYTES], or less for a client's text.
    private long maxTotalBytes = MAX_TOTAL_BYTES;

    private SourceReader(Function<Path, String> reader, String configId, Path confinedTo) {
        this.reader = reader;
        this.configId = configId;
        this.confinedTo = confinedTo;
    }

    /// Tokens of `file` and everything it includes.
    ///
    /// @param configId keepalived's `--config-id`: a line starting `@ID` is kept only when ID is
    ///                 this one, a line starting `@^ID` only when it is not (keepalived's default
    ///                 is the host name)
    public static List<Token> read(Path file, String configId) throws ConfigException {
        var r = new SourceReader(null, configId, null);
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
        var r = new SourceReader(p -> files.get(p), configId, null);
        var tokens = new ArrayList<Token>();
        r.expand(file, text, tokens);
        if (r.diagnostics.stream().anyMatch(Diagnostic::isError)) {
            throw new ConfigException(r.diagnostics);
        }
        return tokens;
    }

    /// Tokens of text a control-channel client sent as if it were `file`: includes must resolve
    /// (symbolic links followed) inside [#tree] of `file`; any other is an error at the include.
    /// The text and its includes together may hold at most `maxBytes` (the caller's share of the
    /// heap for one parse).
    public static List<Token> readConfined(Path file, String text, String configId, long maxBytes)
            throws ConfigException {
        Path tree;
        try {
            tree = tree(file);
        } catch (IOException e) {
            throw new ConfigException(Diagnostic.error(new Position(file, 1, 1), "cannot resolve the directory of "
                    + file + ": " + e.getMessage()));
        }
        var r = new SourceReader(null, configId, tree);
        r.lexicalTree = file.toAbsolutePath().normalize().getParent();
        r.maxTotalBytes = Math.min(MAX_TOTAL_BYTES, maxBytes);
        r.totalBytes = text.length();
        var tokens = new ArrayList<Token>();
        r.expand(file, text, tokens);
        if (r.diagnostics.stream().anyMatch(Diagnostic::isError)) {
            throw new ConfigException(r.diagnostics);
        }
        return tokens;
    }

    /// Where the `include` lines of `text` are (honouring `@ID` lines), without reading any of them.
    public static List<Position> includes(Path file, String text, String configId) throws ConfigException {
        var found = new ArrayList<Position>();
        var r = new SourceReader(null, configId, null);
        r.collectOnly = found;
        r.expand(file, text, new ArrayList<>());
        if (r.diagnostics.stream().anyMatch(Diagnostic::isError)) {
            throw new ConfigException(r.diagnostics);
        }
        return found;
    }

    /// The directory tree of a configuration file: the real path of the directory it is in.
    public static Path tree(Path file) throws IOException {
        var dir = file.toAbsolutePath().normalize().getParent();
        return dir == null ? Path.of("/") : dir.toRealPath();
    }

    /// When set, include lines are only noted here, not followed.
    private List<Position> collectOnly;
    /// With [#confinedTo]: the configuration file's directory as written (before symbolic links).
    private Path lexicalTree;

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
            var at = includedFrom == null ? new Position(file, 1, 1) : includedFrom;
            try {
                var bytes = readBounded(file, at);
                if (bytes == null) {
                    return;
                }
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(bytes).toString();
            } catch (CharacterCodingException e) {
                diagnostics.add(Diagnostic.error(new Position(file, 1, 1), "the file is not UTF-8 text"));
                return;
            } catch (IOException e) {
                var why = e instanceof NoSuchFileException ? "no such file" : e.getMessage();
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

    /// The bytes of `file` if it is a regular file within the size limits, else null with an
    /// error at `at` that names the file and the rule (never its contents).
    private ByteBuffer readBounded(Path file, Position at) throws IOException {
        var real = file.toRealPath();
        var attrs = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isRegularFile()) {
            diagnostics.add(Diagnostic.error(at, "cannot read " + file + ": " + (real.equals(file) ? "" : real + " ")
                    + "is " + (attrs.isDirectory() ? "a directory" : "not a regular file (a device, FIFO or socket)")
                    + "; include only configuration files"));
            return null;
        }
        long left = Math.max(0, Math.min(MAX_FILE_BYTES, maxTotalBytes - totalBytes));
        if (attrs.size() > left) {
            diagnostics.add(Diagnostic.error(at, tooLarge(file, attrs.size())));
            return null;
        }
        // The size may have changed since: read at most one byte past the limit to notice growth.
        try (var channel = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            var buffer = ByteBuffer.allocate((int) Math.min(left + 1, Math.max(attrs.size(), 4096) + 1));
            while (true) {
                if (!buffer.hasRemaining()) {
                    if (buffer.capacity() > left) {
                        diagnostics.add(Diagnostic.error(at, tooLarge(file, buffer.capacity())));
                        return null;
                    }
                    buffer = ByteBuffer.allocate((int) Math.min(left + 1, buffer.capacity() * 2L))
                            .put(buffer.flip());
                }
                if (channel.read(buffer) < 0) {
                    break;
                }
            }
            totalBytes += buffer.position();
            return buffer.flip();
        }
    }

    private String tooLarge(Path file, long bytes) {
        if (bytes > MAX_FILE_BYTES) {
            return "cannot read " + file + ": it is larger than " + MAX_FILE_BYTES / (1024 * 1024)
                    + " MiB; not a configuration file?";
        }
        return "cannot read " + file + ": the configuration's files together would exceed " + maxTotalBytes
                + " bytes" + (maxTotalBytes < MAX_TOTAL_BYTES ? ", the most the agent parses for a client with its "
                        + "heap (check a larger configuration with director-agent check-config, or give the agent a "
                        + "larger -Xmx)" : "");
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
                    if (collectOnly != null) {
                        collectOnly.add(t.position());
                        patterns.clear();
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
        // Confined: a pattern that names a place outside the tree is refused before the file
        // system is asked anything, so the answer does not even say whether the file exists.
        if (confinedTo != null && !target.startsWith(confinedTo) && (lexicalTree == null || !target.startsWith(lexicalTree))) {
            diagnostics.add(Diagnostic.error(pattern.position(), outside(raw)));
            return;
        }
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
            if (confinedTo != null) {
                try {
                    if (!m.toRealPath().startsWith(confinedTo)) {
                        diagnostics.add(Diagnostic.error(pattern.position(), outside(raw)
                                + (m.equals(target) ? "" : " (" + m.getFileName() + ")")
                                + "; a symbolic link inside the tree does not make its target part of it"));
                        continue;
                    }
                } catch (IOException e) {
                    // not there: readFile says so
                }
            }
            readFile(m, pattern.position(), out);
        }
    }

    private String outside(String raw) {
        return "include " + raw + " refused: a configuration sent through the control channel may include only files "
                + "inside " + confinedTo + ", the directory tree of the agent's configuration file";
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
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }
}
