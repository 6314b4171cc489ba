package dev.pharos.agent.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/// keepalived's parameters, as `lib/parser.c` of keepalived 2.2.7 defines and substitutes them.
///
/// - A definition is a line `$NAME=VALUE` (`check_definition`): NAME is `[A-Za-z_][A-Za-z0-9_]*`
///   with no blank before `=`; blanks after `=` go. A value ending in `\` continues on the next
///   lines (a multi-line definition) until a line without `\` or an empty line. A later
///   definition replaces an earlier one, also a built-in one. Values are kept as written and
///   substituted when used, so a value may use parameters defined later.
/// - A use is `$NAME` followed by a blank, `,`, `)` or the end of the line, or `${NAME}` anywhere
///   (`find_definition`); a multi-line definition only at the end of a line. Substitution rescans
///   the substituted text at once (`replace_param`), so a value may itself use parameters; a
///   value that starts with `~` ends the substitutions of its line (so it can hold a `~SEQ`).
///   An undefined name is left as written, as keepalived does.
/// - Built-ins (`set_std_definitions`): `_PWD` (the directory of the file being read, as
///   `getcwd` reports it after keepalived changed into it), `_INSTANCE` (the config id),
///   `_RANDOM` (`${_RANDOM MIN MAX}`, defaults 0 and 32767, `get_random`), `_HASH` (`#`) and
///   `_BANG` (`!`).
final class Parameters {

    /// keepalived's line buffer is 1024 bytes with the terminating NUL (`MAXBUF`); a
    /// substitution may not make a line longer (`replace_param`).
    static final int MAX_LINE = 1023;
    /// keepalived loops for ever on `$A=$A`; Pharos stops after this many substitutions in a line.
    static final int MAX_SUBSTITUTIONS = 1000;

    enum Builtin {
        PWD, INSTANCE, RANDOM
    }

    /// @param value     the text, lines separated by `\n` when `multiline`
    /// @param maxParams how many numbers `${NAME 1 2}` may pass (only `_RANDOM` takes any)
    record Definition(String name, String value, boolean multiline, Builtin builtin, int maxParams) {
    }

    /// A use of a parameter at `start` (the `$`) up to `end`, or a `$` that looks like one.
    ///
    /// @param end    the index after the use, or -1 when what follows the name ends no use
    /// @param params the numbers inside `${NAME 1 2}`, or null
    record Use(int start, int end, String name, String params) {
    }

    /// A line may not be used: what, and where (an index into the line).
    static final class LineError extends Exception {
        final int index;

        LineError(int index, String message) {
            super(message, null, false, false);
            this.index = index;
        }
    }

    private final Map<String, Definition> definitions = new HashMap<>();
    private final String configId;
    private final RandomGenerator random;

    Parameters(String configId, RandomGenerator random) {
        this.configId = configId;
        this.random = random;
        put(new Definition("_PWD", "", false, Builtin.PWD, 0));
        put(new Definition("_INSTANCE", "", false, Builtin.INSTANCE, 0));
        put(new Definition("_RANDOM", "", false, Builtin.RANDOM, 2));
        put(new Definition("_HASH", "#", false, null, 0));
        put(new Definition("_BANG", "!", false, null, 0));
    }

    private void put(Definition d) {
        definitions.put(d.name(), d);
    }

    Definition get(String name) {
        return definitions.get(name);
    }

    /// Sets NAME to a one-line value (a `~SEQ` or `~LST` variable, `set_definition`).
    void set(String name, String value) {
        put(new Definition(name, value, false, null, 0));
    }

    /// Appends a continuation line to a multi-line definition.
    void append(String name, String text) {
        var d = definitions.get(name);
        put(new Definition(name, d.value() + text, true, null, 0));
    }

    /// Ends a multi-line definition; one that got no text at all is an empty one-line definition.
    void close(String name) {
        var d = definitions.get(name);
        if (d.value().isEmpty()) {
            put(new Definition(name, "", false, null, 0));
        }
    }

    /// The definition `text` makes (`$NAME=VALUE`), now in force, or null when it is no definition.
    Definition define(String text) {
        if (text.length() < 2 || text.charAt(0) != '$' || !nameStart(text.charAt(1))) {
            return null;
        }
        int p = 2;
        while (p < text.length() && text.charAt(p) != '=') {
            if (!namePart(text.charAt(p))) {
                return null;
            }
            p++;
        }
        if (p == text.length()) {
            return null;
        }
        int v = p + 1;
        while (v < text.length() && (text.charAt(v) == ' ' || text.charAt(v) == '\t')) {
            v++;
        }
        var value = text.substring(v);
        boolean multiline = value.endsWith("\\");
        if (multiline) {
            var first = stripTrailingBlanks(value.substring(0, value.length() - 1));
            value = first.isEmpty() ? "" : first + "\n";
        }
        var d = new Definition(text.substring(1, p), value, multiline, null, 0);
        put(d);
        return d;
    }

    static String stripTrailingBlanks(String s) {
        int n = s.length();
        while (n > 0 && (s.charAt(n - 1) == ' ' || s.charAt(n - 1) == '\t')) {
            n--;
        }
        return s.substring(0, n);
    }

    /// What the `$` at `dollar` starts, or null when no name follows it (`$1`, `$(…)`, `$`).
    static Use use(String text, int dollar) {
        int q = dollar + 1;
        boolean braces = q < text.length() && text.charAt(q) == '{';
        if (braces) {
            q++;
        }
        if (q >= text.length() || !nameStart(text.charAt(q))) {
            return null;
        }
        int nameEnd = q + 1;
        while (nameEnd < text.length() && namePart(text.charAt(nameEnd))) {
            nameEnd++;
        }
        var name = text.substring(q, nameEnd);
        if (!braces) {
            boolean ends = nameEnd == text.length() || " \t,)".indexOf(text.charAt(nameEnd)) >= 0;
            return new Use(dollar, ends ? nameEnd : -1, name, null);
        }
        int k = nameEnd;
        int paramStart = -1;
        int paramEnd = -1;
        while (k < text.length() && (text.charAt(k) == ' ' || isDigit(text.charAt(k)))) {
            if (text.charAt(k) != ' ') {
                if (paramStart < 0) {
                    paramStart = k;
                }
                paramEnd = k;
            }
            k++;
        }
        if ((paramStart >= 0 && paramEnd + 1 != k) || k >= text.length() || text.charAt(k) != '}') {
            return new Use(dollar, -1, name, null);
        }
        return new Use(dollar, k + 1, name, paramStart < 0 ? null : text.substring(paramStart, paramEnd + 1));
    }

    /// The definition `use` substitutes, or null when keepalived leaves it as written.
    Definition resolve(Use use, int lineLength) {
        if (use.end() < 0) {
            return null;
        }
        var d = definitions.get(use.name());
        if (d == null || (d.multiline() && use.end() != lineLength) || (use.params() != null && d.maxParams() == 0)) {
            return null;
        }
        return d;
    }

    /// `line` with its parameters substituted (`replace_param`), or null when it uses none.
    ///
    /// @param pwd          the directory of the file being read, for `${_PWD}`
    /// @param continuation the rest of each multi-line definition used, in the order used (the
    ///                     last one is read first)
    /// @param count        substitutions so far in this line, bounded by [#MAX_SUBSTITUTIONS]
    SourceLine substitute(SourceLine line, Path pwd, List<Continuation> continuation, int[] count) throws LineError {
        boolean found = false;
        int pos = 0;
        while (true) {
            var text = line.text();
            pos = text.indexOf('$', pos);
            if (pos < 0 || pos + 1 >= text.length()) {
                break;
            }
            var use = use(text, pos);
            var d = use == null ? null : resolve(use, text.length());
            if (d == null) {
                pos++;
                continue;
            }
            if (++count[0] > MAX_SUBSTITUTIONS) {
                throw new LineError(pos, "parameter substitution does not end after " + MAX_SUBSTITUTIONS
                        + " substitutions in this line: does $" + use.name() + " use itself? (keepalived would loop for ever)");
            }
            found = true;
            var value = value(d, use, pwd, pos);
            int nl = d.multiline() ? value.indexOf('\n') : -1;
            if (nl >= 0) {
                // (a definition of one continuation line has no line end: keepalived then reads
                // past the end of the value; Pharos reads no more lines)
                continuation.add(new Continuation(use.name(), value.substring(nl + 1), line.at(pos)));
                value = value.substring(0, nl);
            }
            int length = text.length() - (use.end() - pos) + value.length();
            if (length > MAX_LINE) {
                throw new LineError(pos, "substituting $" + use.name() + " makes the line " + length
                        + " characters long; keepalived reads at most " + MAX_LINE + " (it stops substituting there)");
            }
            line = line.replace(pos, use.end(), value);
            if (stripLeadingBlanks(value).startsWith("~")) {
                break;
            }
        }
        return found ? line : null;
    }

    /// The rest of a multi-line definition used at `at`, read as lines after the line that used it.
    record Continuation(String name, String text, Position at) {
    }

    private String value(Definition d, Use use, Path pwd, int pos) throws LineError {
        if (d.builtin() == null) {
            return d.value();
        }
        return switch (d.builtin()) {
            case PWD -> pwd(pwd);
            case INSTANCE -> configId == null ? "" : configId;
            case RANDOM -> random(use, pos);
        };
    }

    private static String pwd(Path dir) {
        try {
            return dir.toRealPath().toString();
        } catch (IOException e) {
            // text that is not on disk (an editor buffer): its directory as named
            return dir.toString();
        }
    }

    private String random(Use use, int pos) throws LineError {
        long min = 0;
        long max = 32767;
        if (use.params() != null) {
            var numbers = use.params().trim().split(" +");
            if (numbers.length > 2) {
                throw new LineError(pos, "${_RANDOM MIN MAX} takes at most two numbers, not " + numbers.length);
            }
            try {
                min = Long.parseLong(numbers[0]);
                if (numbers.length == 2) {
                    max = Long.parseLong(numbers[1]);
                }
            } catch (NumberFormatException e) {
                throw new LineError(pos, "${_RANDOM " + use.params() + "}: the numbers are too large");
            }
            if (max == Long.MAX_VALUE) {
                throw new LineError(pos, "${_RANDOM " + use.params() + "}: the numbers are too large");
            }
            if (min > max) {
                throw new LineError(pos, "${_RANDOM " + use.params() + "}: MIN " + min + " is above MAX " + max);
            }
        }
        return Long.toString(min + random.nextLong(max - min + 1));
    }

    private static String stripLeadingBlanks(String s) {
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return s.substring(i);
    }

    static boolean nameStart(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    }

    static boolean namePart(char c) {
        return nameStart(c) || isDigit(c);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
