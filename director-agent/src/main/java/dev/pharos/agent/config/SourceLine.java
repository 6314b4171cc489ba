package dev.pharos.agent.config;

import java.nio.file.Path;
import java.util.Arrays;

/// One line as keepalived's `read_line` (`lib/parser.c`) hands it to the tokenizer, with the
/// column of the file each character came from, so positions after a substitution still point
/// into the file.
///
/// @param columns   1-based column on `line` of `file` of each character of `text`; negative when
///                  the character was substituted: it came from the parameter whose `$` is at that
///                  column (or from the multi-line definition used there)
/// @param end       the column of the line's END_OF_LINE token: one past the raw line's last character
/// @param generated the whole line was produced by a multi-line definition or a `~SEQ`/`~LST` line
record SourceLine(Path file, int line, String text, int[] columns, int end, boolean generated) {

    /// A line as read from a file, without its line end (`\n`; a trailing `\r` is dropped too, as
    /// keepalived's `read_line` does).
    static SourceLine raw(Path file, int line, String text) {
        int length = text.length();
        int n = length;
        while (n > 0 && text.charAt(n - 1) == '\r') {
            n--;
        }
        var columns = new int[n];
        for (int i = 0; i < n; i++) {
            columns[i] = i + 1;
        }
        return new SourceLine(file, line, text.substring(0, n), columns, length + 1, false);
    }

    /// A line made of text that is not written here: every character is at `anchor`'s column.
    static SourceLine substituted(Position anchor, String text, boolean generated) {
        var columns = new int[text.length()];
        Arrays.fill(columns, -anchor.column());
        return new SourceLine(anchor.file(), anchor.line(), text, columns, anchor.column(), generated);
    }

    boolean isEmpty() {
        return text.isEmpty();
    }

    /// Where the character at `index` came from (the end of the line when `index` is past it).
    Position at(int index) {
        int column = index < columns.length ? Math.abs(columns[index]) : end;
        return new Position(file, line, column);
    }

    /// Whether any character in `[from, to)` was substituted.
    boolean substituted(int from, int to) {
        if (generated) {
            return true;
        }
        for (int i = from; i < to; i++) {
            if (columns[i] < 0) {
                return true;
            }
        }
        return false;
    }

    /// The text from `from` on.
    SourceLine from(int from) {
        return range(from, text.length());
    }

    /// The text in `[from, to)`.
    SourceLine range(int from, int to) {
        return new SourceLine(file, line, text.substring(from, to), Arrays.copyOfRange(columns, from, to), end,
                generated);
    }

    SourceLine asGenerated() {
        return new SourceLine(file, line, text, columns, end, true);
    }

    /// `[from, to)` replaced by `value`, whose characters all come from the `$` at `from`.
    SourceLine replace(int from, int to, String value) {
        int anchor = -Math.abs(columns[from]);
        var out = new int[columns.length - (to - from) + value.length()];
        System.arraycopy(columns, 0, out, 0, from);
        Arrays.fill(out, from, from + value.length(), anchor);
        System.arraycopy(columns, to, out, from + value.length(), columns.length - to);
        return new SourceLine(file, line, text.substring(0, from) + value + text.substring(to), out, end, generated);
    }

    /// keepalived's `decomment()` (`lib/parser.c`): leading blanks go; `!` or `#` outside double
    /// quotes ends the line; `\!` and `\#` outside quotes stand for the character (the backslash
    /// goes); another backslash keeps the character after it, so `\"` does not open or close a
    /// quote; trailing blanks go, and a backslash that ends the line is kept at the end (it
    /// continues a multi-line definition), also after a comment.
    SourceLine decomment() {
        var out = new StringBuilder(text.length());
        var cols = new int[text.length()];
        int i = 0;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        boolean quote = false;
        int comment = -1;
        int continuation = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (i + 1 == text.length()) {
                    continuation = columns[i];
                    break;
                }
                char next = text.charAt(i + 1);
                if (!quote && (next == '#' || next == '!')) {
                    cols[out.length()] = columns[i + 1];
                    out.append(next);
                } else {
                    cols[out.length()] = columns[i];
                    out.append(c);
                    cols[out.length()] = columns[i + 1];
                    out.append(next);
                }
                i += 2;
                continue;
            }
            if (c == '"' && comment < 0) {
                quote = !quote;
            } else if (!quote && comment < 0 && (c == '!' || c == '#')) {
                comment = out.length();
            }
            cols[out.length()] = columns[i];
            out.append(c);
            i++;
        }
        int n = comment >= 0 ? comment : out.length();
        while (n > 0 && (out.charAt(n - 1) == ' ' || out.charAt(n - 1) == '\t')) {
            n--;
        }
        out.setLength(n);
        if (continuation != 0) {
            cols[n] = continuation;
            out.append('\\');
            n++;
        }
        return new SourceLine(file, line, out.toString(), Arrays.copyOf(cols, n), end, generated);
    }
}
