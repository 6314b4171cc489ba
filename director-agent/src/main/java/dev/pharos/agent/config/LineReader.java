package dev.pharos.agent.config;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.random.RandomGenerator;

/// Reads configuration lines the way keepalived 2.2.7's `read_line` (`lib/parser.c`) does, and
/// tokenizes what it hands on. For each line, in this order:
///
/// 1. an empty line ends a multi-line definition; comments and blanks go ([SourceLine#decomment]);
///    while a multi-line definition is open, the line is added to it as written;
/// 2. `@ID` / `@^ID` at the start keeps the rest of the line only when the config id is (is not)
///    ID; a line with nothing after the id is dropped;
/// 3. `$NAME=VALUE` defines a parameter ([Parameters]);
/// 4. `~SEQ(…)` / `~LST(…)` repeats the rest of the line ([Sequences]); another line starting
///    with `~` is taken as it is;
/// 5. parameters are substituted; then comments are removed again (so `${_HASH}` outside quotes
///    starts one) and, when the line now starts with `@` or still holds a `$`, steps 2–5 run
///    again on it;
/// 6. `include` (or `includer`, `includem`, `includew`, `includeb`, `includea`) followed by a blank
///    reads the files the rest of the line names (one glob pattern, blanks included)
///    (`check_include`); that is also true of an include a substitution produced.
///
/// Lines a multi-line definition, `~SEQ` or `~LST` produce are read next (the last started first),
/// without removing comments again, then the included files, then the rest of the file.
final class LineReader {

    /// Include checks (`include_t` in `lib/parser.c`): error when a file is unreadable or a
    /// directory (R), when a file or directory a pattern names is missing (M), when a wildcard
    /// matches nothing (W), when an alternative of `{a,b}` is missing (B).
    static final int INCLUDE_R = 1;
    static final int INCLUDE_M = 2;
    static final int INCLUDE_W = 4;
    static final int INCLUDE_B = 8;
    /// Files included within each other.
    static final int MAX_FILES_DEEP = 32;
    /// Multi-line definitions and repetitions started within each other.
    static final int MAX_EXPANSIONS_DEEP = 64;
    /// After this many errors the rest is not read (a runaway `~SEQ` would repeat one forever).
    static final int MAX_ERRORS = 100;
    /// Warnings shown at most (a `~SEQ` repeats the warnings of its line).
    static final int MAX_WARNINGS = 100;

    /// Where the files come from: [SourceReader], with its limits and confinement.
    interface Files {
        /// The files an include line names, to read in this order; problems go to `out`.
        List<Path> include(Path from, String pattern, Position at, int flags, List<Diagnostic> out);

        /// The text of `file`, or null when it cannot be read (said in `out`).
        String read(Path file, Position includedFrom, int flags, List<Diagnostic> out);
    }

    private sealed interface Source permits FileLines, DefinitionLines, Repeating, Glob {
    }

    private static final class FileLines implements Source {
        final Path file;
        final String text;
        int offset;
        int line;

        FileLines(Path file, String text) {
            this.file = file;
            this.text = text;
        }

        SourceLine next() {
            if (offset >= text.length()) {
                return null;
            }
            int end = text.indexOf('\n', offset);
            if (end < 0) {
                end = text.length();
            }
            var raw = SourceLine.raw(file, ++line, text.substring(offset, end));
            offset = end + 1;
            return raw;
        }
    }

    private static final class DefinitionLines implements Source {
        final String[] lines;
        final Position at;
        int next;

        DefinitionLines(String text, Position at) {
            this.lines = text.split("\n", -1);
            this.at = at;
        }
    }

    private record Repeating(Sequences.Repeat repeat) implements Source {
    }

    private static final class Glob implements Source {
        final List<Path> files;
        final Position at;
        final int flags;
        int next;

        Glob(List<Path> files, Position at, int flags) {
            this.files = files;
            this.at = at;
            this.flags = flags;
        }
    }

    private final Files files;
    private final String configId;
    private final Parameters parameters;
    private final Deque<Source> stack = new ArrayDeque<>();
    private final List<Token> out;
    private final Words words = new Words();
    private final List<Diagnostic> diagnostics;
    /// When set, include lines are only noted here, not followed.
    private final List<SourceReader.Include> includesOnly;
    private final long maxGenerated;
    private long generated;
    private int errors;
    private int warnings;
    /// The multi-line definition being read, or null.
    private String openDefinition;

    /// @param maxGenerated the most text (in characters) multi-line definitions and repetitions
    ///                     may produce together
    LineReader(Files files, String configId, RandomGenerator random, long maxGenerated, List<Token> out,
            List<Diagnostic> diagnostics, List<SourceReader.Include> includesOnly) {
        this.files = files;
        this.configId = configId;
        this.parameters = new Parameters(configId, random);
        this.maxGenerated = maxGenerated;
        this.out = out;
        this.diagnostics = diagnostics;
        this.includesOnly = includesOnly;
    }

    /// Reads `text` as the content of `file`, and everything it includes.
    void read(Path file, String text) {
        stack.push(new FileLines(file, text));
        while (!stack.isEmpty() && errors < MAX_ERRORS) {
            SourceLine line;
            boolean fromFile = false;
            switch (stack.peek()) {
                case FileLines f -> {
                    line = f.next();
                    fromFile = true;
                }
                case DefinitionLines d -> line = d.next < d.lines.length
                        ? SourceLine.substituted(d.at, d.lines[d.next++], true) : null;
                case Repeating r -> line = r.repeat().next();
                case Glob g -> {
                    open(g);
                    continue;
                }
            }
            if (line == null) {
                stack.pop();
                continue;
            }
            if (fromFile) {
                if (line.isEmpty()) {
                    closeDefinition();
                    continue;
                }
                var raw = line;
                line = line.decomment();
                copyDiffers(raw, line);
            } else if ((generated += line.text().length() + 1) > maxGenerated) {
                error(line.at(0), "multi-line definitions, ~SEQ and ~LST expand to more than " + maxGenerated
                        + " characters; not read further");
                stack.clear();
                return;
            }
            if (line.isEmpty()) {
                continue;
            }
            if (openDefinition != null) {
                continueDefinition(line);
                continue;
            }
            try {
                process(line);
            } catch (Parameters.LineError e) {
                error(line.at(e.index), e.getMessage());
            }
        }
        if (errors >= MAX_ERRORS) {
            diagnostics.add(Diagnostic.error(null, "more than " + MAX_ERRORS + " errors; the rest is not read"));
        }
    }

    private void error(Position at, String message) {
        diagnostics.add(Diagnostic.error(at, message));
        errors++;
    }

    /// keepalived 2.2.7 reads the files once, in its parent process, and writes the lines it read,
    /// comments removed, to a copy its VRRP and checker processes read again (`write_conf_copy`
    /// in `read_line`). Two things read differently there: a line that was only a comment or
    /// blanks becomes an empty line, which ends a multi-line definition; and `\#`, `\!` outside
    /// quotes lose their backslash and start a comment. Pharos reads as the parent does and says
    /// where keepalived's processes would disagree.
    private void copyDiffers(SourceLine raw, SourceLine decommented) {
        if (decommented.isEmpty()) {
            if (openDefinition != null) {
                warning(raw.at(0), "keepalived 2.2.7 passes this comment or blank line to its VRRP and checker "
                        + "processes as an empty line, which ends the multi-line definition $" + openDefinition
                        + " there; remove the line");
            }
            return;
        }
        var text = raw.text();
        boolean quote = false;
        for (int i = 0; i + 1 < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quote = !quote;
            } else if (c == '!' || c == '#') {
                if (!quote) {
                    return;
                }
            } else if (c == '\\') {
                char next = text.charAt(i + 1);
                if (!quote && (next == '#' || next == '!')) {
                    warning(raw.at(i), "keepalived 2.2.7 passes this line to its VRRP and checker processes "
                            + "without the backslash, where " + next + " then starts a comment; write the word in "
                            + "double quotes");
                    return;
                }
                i++;
            }
        }
    }

    private void warning(Position at, String message) {
        if (++warnings <= MAX_WARNINGS) {
            diagnostics.add(Diagnostic.warning(at, message));
        } else if (warnings == MAX_WARNINGS + 1) {
            diagnostics.add(Diagnostic.warning(at, "more than " + MAX_WARNINGS + " warnings about parameters; the rest "
                    + "are not shown"));
        }
    }

    private void closeDefinition() {
        if (openDefinition != null) {
            parameters.close(openDefinition);
            openDefinition = null;
        }
    }

    /// A line of a multi-line definition (`read_line`, `multiline_param_def`): a trailing `\`
    /// and the blanks before it go and the definition goes on; a line without one ends it.
    private void continueDefinition(SourceLine line) {
        var text = line.text();
        boolean more = text.endsWith("\\");
        if (more) {
            text = Parameters.stripTrailingBlanks(text.substring(0, text.length() - 1)) + "\n";
        }
        if (text.length() >= 2 || (!text.isEmpty() && !more)) {
            parameters.append(openDefinition, text);
        }
        if (!more) {
            closeDefinition();
        }
    }

    private void process(SourceLine line) throws Parameters.LineError {
        var continuations = new ArrayList<Parameters.Continuation>();
        int[] substitutions = {0};
        Source then = null;
        try {
            while (true) {
                var text = line.text();
                if (text.startsWith("@")) {
                    line = configId(line);
                    if (line == null) {
                        return;
                    }
                    text = line.text();
                }
                if (text.startsWith("$")) {
                    var d = parameters.define(text);
                    if (d != null) {
                        if (d.multiline()) {
                            openDefinition = d.name();
                        }
                        return;
                    }
                }
                if (text.startsWith("~SEQ") || text.startsWith("~LST")) {
                    then = new Repeating(Sequences.parse(line, parameters, pwd(), substitutions));
                    return;
                }
                if (text.startsWith("~") || text.indexOf('$') < 0) {
                    break;
                }
                var substituted = parameters.substitute(line, pwd(), continuations, substitutions);
                if (substituted == null) {
                    break;
                }
                line = substituted.decomment();
                if (!line.text().startsWith("@") && line.text().indexOf('$') < 0) {
                    break;
                }
            }
            if (line.isEmpty()) {
                return;
            }
            if (!include(line)) {
                int before = out.size();
                Lexer.tokenize(line, out, diagnostics, words);
                if (out.size() > before) {
                    checkUses(line);
                }
            }
        } finally {
            // the rest of each multi-line definition used: the last used is read first
            for (var c : continuations) {
                push(new DefinitionLines(c.text(), c.at()), c.at());
            }
            if (then != null) {
                push(then, line.at(0));
            }
        }
    }

    private void push(Source source, Position at) {
        long deep = stack.stream().filter(s -> s instanceof DefinitionLines || s instanceof Repeating).count();
        if (deep >= MAX_EXPANSIONS_DEEP) {
            error(at, "multi-line definitions and ~SEQ/~LST lines started within each other more than "
                    + MAX_EXPANSIONS_DEEP + " deep: does a definition use itself? (keepalived would not stop)");
            return;
        }
        stack.push(source);
    }

    /// The line without its `@ID ` when the config id keeps it, else null.
    private SourceLine configId(SourceLine line) {
        var text = line.text();
        boolean negated = text.startsWith("@^");
        int from = negated ? 2 : 1;
        int blank = from;
        while (blank < text.length() && text.charAt(blank) != ' ' && text.charAt(blank) != '\t') {
            blank++;
        }
        if (blank == text.length()) {
            return null;
        }
        boolean matches = configId != null && text.substring(from, blank).equals(configId);
        if (matches == negated) {
            return null;
        }
        while (blank < text.length() && (text.charAt(blank) == ' ' || text.charAt(blank) == '\t')) {
            blank++;
        }
        return line.from(blank);
    }

    /// The directory of the file being read, as keepalived's current directory is.
    private Path pwd() {
        for (var s : stack) {
            if (s instanceof FileLines f) {
                var dir = f.file.toAbsolutePath().getParent();
                return dir == null ? Path.of("/") : dir;
            }
        }
        return Path.of("/");
    }

    private Path currentFile() {
        for (var s : stack) {
            if (s instanceof FileLines f) {
                return f.file;
            }
        }
        return null;
    }

    /// Handles `line` when it is an include (`is_include`, `check_include`).
    private boolean include(SourceLine line) throws Parameters.LineError {
        var text = line.text();
        if (!text.startsWith("include")) {
            return false;
        }
        int flags;
        int p;
        if (text.length() == 7) {
            throw new Parameters.LineError(0, "include needs a file name or glob pattern");
        }
        if (space(text.charAt(7))) {
            flags = 0;
            p = 8;
        } else if (text.length() > 8 && space(text.charAt(8)) && "rmwba".indexOf(text.charAt(7)) >= 0) {
            flags = switch (text.charAt(7)) {
                case 'r' -> INCLUDE_R;
                case 'm' -> INCLUDE_R | INCLUDE_M;
                case 'w' -> INCLUDE_R | INCLUDE_M | INCLUDE_W;
                case 'b' -> INCLUDE_R | INCLUDE_B;
                default -> INCLUDE_R | INCLUDE_M | INCLUDE_W | INCLUDE_B;
            };
            p = 9;
        } else {
            return false;
        }
        while (p < text.length() && (text.charAt(p) == ' ' || text.charAt(p) == '\t')) {
            p++;
        }
        if (p == text.length()) {
            throw new Parameters.LineError(0, "include needs a file name or glob pattern");
        }
        if (includesOnly != null) {
            includesOnly.add(new SourceReader.Include(line.at(0), text.strip()));
            return true;
        }
        var at = line.at(p);
        var matches = files.include(currentFile(), text.substring(p), at, flags, diagnostics);
        if (!matches.isEmpty()) {
            stack.push(new Glob(matches, at, flags));
        }
        return true;
    }

    private static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /// Opens the next file of an include, or ends the include.
    private void open(Glob g) {
        if (g.next >= g.files.size()) {
            stack.pop();
            return;
        }
        var file = g.files.get(g.next++);
        var open = new ArrayList<Path>();
        for (var s : stack) {
            if (s instanceof FileLines f) {
                open.addFirst(f.file);
            }
        }
        if (open.contains(file)) {
            var chain = new StringBuilder();
            for (var p : open) {
                chain.append(p).append(" -> ");
            }
            error(g.at, "include cycle: " + chain.append(file));
            return;
        }
        if (open.size() >= MAX_FILES_DEEP) {
            error(g.at, "includes nested deeper than " + MAX_FILES_DEEP + " files");
            return;
        }
        var text = files.read(file, g.at, g.flags, diagnostics);
        if (text != null) {
            stack.push(new FileLines(file, text));
        }
    }

    /// A `$` left in a line keepalived uses as it stands: an error where it is the keyword (no
    /// keyword starts with `$`), else a warning, since a script's shell variable is one too.
    private void checkUses(SourceLine line) {
        var text = line.text();
        int pos = 0;
        while ((pos = text.indexOf('$', pos)) >= 0) {
            var use = Parameters.use(text, pos);
            if (use == null) {
                pos++;
                continue;
            }
            var d = parameters.get(use.name());
            var written = text.substring(pos, use.end() < 0 ? pos + 1 + use.name().length()
                    + (text.charAt(pos + 1) == '{' ? 1 : 0) : use.end());
            String why;
            if (d == null) {
                why = written + " is not defined, so keepalived keeps it as written";
            } else if (use.end() < 0) {
                why = written + " is not substituted: keepalived substitutes $" + use.name()
                        + " only before a blank, ',', ')' or the end of the line; write ${" + use.name() + "}";
            } else if (d.multiline()) {
                why = "$" + use.name() + " is a multi-line definition, which keepalived substitutes only at the end of a line";
            } else {
                why = written + ": only ${_RANDOM MIN MAX} takes numbers; keepalived keeps it as written";
            }
            if (pos == 0) {
                error(line.at(pos), why);
            } else {
                warning(line.at(pos), why);
            }
            pos += written.length();
        }
    }
}
