package dev.pharos.agent.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/// Reads a configuration file into one token stream the way keepalived 2.2.7's `lib/parser.c`
/// reads it: parameters, `@ID` lines, `~SEQ`/`~LST` and includes are resolved here ([LineReader]),
/// so what the parser sees is what keepalived's keyword handlers see, with positions in the files.
///
/// Includes: a relative pattern is resolved against the directory of the file that contains it,
/// and a pattern may be a glob with `{a,b}` alternatives ([IncludePattern]), expanded in order.
/// As keepalived's `open_and_check_glob` does, a wildcard that matches nothing is no error (an
/// empty `conf.d/*.conf` is a common layout) unless the include is `includew` or `includea`; a
/// missing directory or `{…}` alternative of a glob is a warning, or an error for `includem`,
/// `includeb`, `includea`. Deviation from keepalived: a missing file named without wildcards is an
/// error for every kind of include (keepalived only logs it for `include` and `includer`): it is
/// a typo far more often than an optional file. A directory, an unreadable file and an include
/// cycle are errors; a file with an execute bit is skipped, as keepalived skips it
/// (`check_glob_file`), with a warning (an error for `includer` and the others).
///
/// An include is read only when it is a regular file of at most [#MAX_FILE_BYTES] (a device
/// reports size 0 and never ends, a FIFO blocks, a file can grow while it is read), with memory
/// bounded by that size, and all files together at most [#MAX_TOTAL_BYTES]; what multi-line
/// definitions and repetitions expand to at most [#MAX_GENERATED]. Text that came through the control
/// channel ([#readConfined]) may include only files whose real path lies inside the directory
/// tree of the agent's configuration file: a client must not read the agent's files through the
/// diagnostics, and an error names the include, never the file's text.
///
/// Bytes become text with [SourceText#decode]: UTF-8 when valid, else ISO-8859-1, so any file
/// loads and a writer can give back the same bytes.
public final class SourceReader {

    static final int MAX_FILE_BYTES = 16 * 1024 * 1024;
    /// All files of one configuration together.
    static final long MAX_TOTAL_BYTES = 32L * 1024 * 1024;
    /// What multi-line definitions, `~SEQ` and `~LST` may expand to, in characters: a few hundred
    /// thousand lines, each becoming tokens in memory.
    static final long MAX_GENERATED = 4L * 1024 * 1024;

    /// The tokens of a configuration, the warnings found while reading it, every file it read
    /// (also one that holds only parameter definitions), and the text of each (for [ParseCache];
    /// a file read twice with two different texts is left out).
    public record Source(List<Token> tokens, List<Diagnostic> warnings, List<Path> files, Map<Path, String> texts) {
    }

    private final Function<Path, String> reader;
    private final String configId;
    /// The real path of the directory tree includes must stay inside, or null when they may go anywhere.
    private final Path confinedTo;
    /// With [#confinedTo]: the configuration file's directory as written (before symbolic links).
    private Path lexicalTree;
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final Set<Path> files = new LinkedHashSet<>();
    private final Map<Path, String> texts = new HashMap<>();
    private final Set<Path> readDifferently = new HashSet<>();
    private long totalBytes;
    /// The most all files together may hold: [#MAX_TOTAL_BYTES], or less for a client's text.
    private long maxTotalBytes = MAX_TOTAL_BYTES;

    private SourceReader(Function<Path, String> reader, String configId, Path confinedTo) {
        this.reader = reader;
        this.configId = configId;
        this.confinedTo = confinedTo;
    }

    /// Tokens of `file` and everything it includes, and the warnings.
    ///
    /// @param configId keepalived's `--config-id`: a line starting `@ID` is kept only when ID is
    ///                 this one, a line starting `@^ID` only when it is not (keepalived's default
    ///                 is the host name up to its first dot); null matches no ID
    public static Source load(Path file, String configId) throws ConfigException {
        var r = new SourceReader(null, configId, null);
        var path = file.toAbsolutePath().normalize();
        var text = r.text(path, null, 0, r.diagnostics);
        return text == null ? r.finish(List.of()) : r.run(path, text, null);
    }

    /// Tokens of text that is not on disk (an editor buffer, an RPC); includes are resolved from
    /// `file`'s directory, or from the in-memory `files` first when they are there.
    public static Source load(Path file, String text, Map<Path, String> files, String configId)
            throws ConfigException {
        return new SourceReader(files::get, configId, null).run(file, text, null);
    }

    /// Tokens of text a control-channel client sent as if it were `file`: includes must resolve
    /// (symbolic links followed) inside [#tree] of `file`; any other is an error at the include.
    /// The text and its includes together may hold at most `maxBytes` (the caller's share of the
    /// heap for one parse), and so may what its parameters expand to.
    public static Source loadConfined(Path file, String text, String configId, long maxBytes)
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
        return r.run(file, text, null);
    }

    /// [#load(Path, String)] without the warnings.
    public static List<Token> read(Path file, String configId) throws ConfigException {
        return load(file, configId).tokens();
    }

    /// [#load(Path, String, Map, String)] without the warnings.
    public static List<Token> read(Path file, String text, Map<Path, String> files, String configId)
            throws ConfigException {
        return load(file, text, files, configId).tokens();
    }

    /// [#loadConfined] without the warnings.
    public static List<Token> readConfined(Path file, String text, String configId, long maxBytes)
            throws ConfigException {
        return loadConfined(file, text, configId, maxBytes).tokens();
    }

    /// An include line of a text: where it is, and the line as keepalived follows it (parameters
    /// replaced, blanks around it removed), such as `include conf.d/*.conf`.
    public record Include(Position at, String directive) {
    }

    /// The include lines of `text`, without reading any of them: also an include a parameter, a
    /// `~SEQ` or an `@ID` line makes, since keepalived follows those too.
    public static List<Include> includes(Path file, String text, String configId) throws ConfigException {
        var found = new ArrayList<Include>();
        new SourceReader(null, configId, null).run(file, text, found);
        return found;
    }

    /// The directory tree of a configuration file: the real path of the directory it is in.
    public static Path tree(Path file) throws IOException {
        var dir = file.toAbsolutePath().normalize().getParent();
        return dir == null ? Path.of("/") : dir.toRealPath();
    }

    private Source run(Path file, String text, List<Include> includesOnly) throws ConfigException {
        files.add(file);
        remember(file, text);
        var tokens = new ArrayList<Token>();
        var files = new LineReader.Files() {
            @Override
            public List<Path> include(Path from, String pattern, Position at, int flags, List<Diagnostic> out) {
                return resolve(from, pattern, at, flags, out);
            }

            @Override
            public String read(Path file, Position includedFrom, int flags, List<Diagnostic> out) {
                return text(file, includedFrom, flags, out);
            }
        };
        new LineReader(files, configId, new Random(), Math.min(MAX_GENERATED, maxTotalBytes), tokens, diagnostics, includesOnly)
                .read(file, text);
        return finish(tokens);
    }

    private Source finish(List<Token> tokens) throws ConfigException {
        if (diagnostics.stream().anyMatch(Diagnostic::isError)) {
            throw new ConfigException(diagnostics);
        }
        readDifferently.forEach(texts::remove);
        return new Source(tokens, List.copyOf(diagnostics), List.copyOf(files), texts);
    }

    private void remember(Path file, String text) {
        var before = texts.putIfAbsent(file, text);
        if (before != null && !before.equals(text)) {
            readDifferently.add(file);
        }
    }

    /// The files an include names (see the class comment for what is an error).
    private List<Path> resolve(Path from, String pattern, Position at, int flags, List<Diagnostic> out) {
        if (pattern.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
            out.add(Diagnostic.error(at, "include pattern with a control character; name a file"));
            return List.of();
        }
        try {
            return resolveValid(from, pattern, at, flags, out);
        } catch (InvalidPathException e) {
            out.add(Diagnostic.error(at, "include " + pattern + ": not a file name (" + e.getReason() + ")"));
            return List.of();
        }
    }

    private List<Path> resolveValid(Path from, String pattern, Position at, int flags, List<Diagnostic> out) {
        var dir = from == null ? null : from.toAbsolutePath().getParent();
        if (dir == null) {
            dir = Path.of("").toAbsolutePath();
        }
        // Confined: a pattern that names a place outside the tree is refused before the file
        // system is asked anything, so the answer does not even say whether the file exists.
        if (confinedTo != null) {
            for (var alternative : IncludePattern.alternatives(pattern)) {
                var target = dir.resolve(alternative).normalize();
                if (!target.startsWith(confinedTo) && (lexicalTree == null || !target.startsWith(lexicalTree))) {
                    out.add(Diagnostic.error(at, outside(pattern)));
                    return List.of();
                }
            }
        }
        if (!IncludePattern.hasWildcard(pattern) && !IncludePattern.hasBraces(pattern)) {
            var target = dir.resolve(pattern).normalize();
            if (confinedTo != null && !insideTree(target)) {
                out.add(Diagnostic.error(at, outside(pattern) + LINK));
                return List.of();
            }
            return List.of(target);
        }
        var found = IncludePattern.expand(dir, pattern);
        if (found.matches().isEmpty()) {
            if (found.missing()) {
                int check = found.braces() ? LineReader.INCLUDE_B : LineReader.INCLUDE_M;
                out.add(new Diagnostic(at, severity(flags, check), "include " + pattern + " matches no file, and a "
                        + "directory or file it names is missing" + goesOn(flags, check)));
            } else if ((flags & LineReader.INCLUDE_W) != 0) {
                out.add(Diagnostic.error(at, "include " + pattern + " matches no file (includew and includea "
                        + "require a match)"));
            }
            return List.of();
        }
        if (found.missing()) {
            out.add(new Diagnostic(at, severity(flags, LineReader.INCLUDE_B), "include " + pattern
                    + ": some of the files it names are missing" + goesOn(flags, LineReader.INCLUDE_B)));
            if ((flags & LineReader.INCLUDE_B) != 0) {
                return List.of();
            }
        }
        var matches = new ArrayList<Path>();
        for (var m : found.matches()) {
            if (confinedTo != null && !insideTree(m)) {
                out.add(Diagnostic.error(at, outside(pattern) + " (" + m.getFileName() + ")" + LINK));
                continue;
            }
            if (Files.isDirectory(m)) {
                out.add(new Diagnostic(at, severity(flags, LineReader.INCLUDE_R), "include " + pattern
                        + ": " + m + " is a directory" + goesOn(flags, LineReader.INCLUDE_R)));
                continue;
            }
            matches.add(m);
        }
        return matches;
    }

    private static final String LINK = "; a symbolic link inside the tree does not make its target part of it";

    /// Whether the real path of `file` is inside the tree (one that is not there: reading it says so).
    private boolean insideTree(Path file) {
        try {
            return file.toRealPath().startsWith(confinedTo);
        } catch (IOException e) {
            return true;
        }
    }

    private static Diagnostic.Severity severity(int flags, int check) {
        return (flags & check) != 0 ? Diagnostic.Severity.ERROR : Diagnostic.Severity.WARNING;
    }

    private static String goesOn(int flags, int check) {
        return (flags & check) != 0 ? "" : "; keepalived reads on without it";
    }

    /// The text of `file` (in memory first), or null when it cannot be read (said in `out`).
    private String text(Path file, Position includedFrom, int flags, List<Diagnostic> out) {
        String text = reader == null ? null : reader.apply(file);
        if (text != null) {
            files.add(file);
            remember(file, text);
            return text;
        }
        var at = includedFrom == null ? new Position(file, 1, 1) : includedFrom;
        try {
            var bytes = readBounded(file, at, out);
            if (bytes == null) {
                return null;
            }
            if (includedFrom != null && executable(file)) {
                out.add(new Diagnostic(at, severity(flags, LineReader.INCLUDE_R), "include: " + file
                        + " is executable, and keepalived does not read an executable file"
                        + ((flags & LineReader.INCLUDE_R) != 0 ? "" : "; skipped")));
                return null;
            }
            files.add(file);
            var decoded = SourceText.decode(bytes).text();
            remember(file, decoded);
            return decoded;
        } catch (IOException e) {
            var why = e instanceof NoSuchFileException ? "no such file" : e.getMessage();
            out.add(Diagnostic.error(at, "cannot read " + file + ": " + why));
            return null;
        }
    }

    private static boolean executable(Path file) {
        try {
            var permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.OWNER_EXECUTE)
                    || permissions.contains(PosixFilePermission.GROUP_EXECUTE)
                    || permissions.contains(PosixFilePermission.OTHERS_EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /// The bytes of `file` if it is a regular file within the size limits, else null with an
    /// error at `at` that names the file and the rule (never its contents).
    private ByteBuffer readBounded(Path file, Position at, List<Diagnostic> out) throws IOException {
        var real = file.toRealPath();
        var attrs = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isRegularFile()) {
            out.add(Diagnostic.error(at, "cannot read " + file + ": " + (real.equals(file) ? "" : real + " ")
                    + "is " + (attrs.isDirectory() ? "a directory" : "not a regular file (a device, FIFO or socket)")
                    + "; include only configuration files"));
            return null;
        }
        long left = Math.max(0, Math.min(MAX_FILE_BYTES, maxTotalBytes - totalBytes));
        if (attrs.size() > left) {
            out.add(Diagnostic.error(at, tooLarge(file, attrs.size())));
            return null;
        }
        // The size may have changed since: read at most one byte past the limit to notice growth.
        try (var channel = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            var buffer = ByteBuffer.allocate((int) Math.min(left + 1, Math.max(attrs.size(), 4096) + 1));
            while (true) {
                if (!buffer.hasRemaining()) {
                    if (buffer.capacity() > left) {
                        out.add(Diagnostic.error(at, tooLarge(file, buffer.capacity())));
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

    private String outside(String raw) {
        return "include " + raw + " refused: a configuration sent through the control channel may include only files "
                + "inside " + confinedTo + ", the directory tree of the agent's configuration file";
    }
}
