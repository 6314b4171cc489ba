package dev.pharos.agent.config;

import java.nio.file.Path;
import java.util.Arrays;

/// One line as keepalived's `read_line` (`lib/parser.c`) hands it to the tokenizer, with the
/// column of the file each character came from, so positions after a substitution still point
/// into the file.
///
/// @param columns   1-based column on `line` of `file` of each character of `text`; negative when
///                  the character was substituted: it came from the parameter whose `$` is at that
///                  column (or from the multi-line definition used there). Null for text written
///                  in the file as it stands (nearly every line), whose character `i` is at column
///                  `first + i`: a large file then costs no array per line.
/// @param first     with `columns` null, the column of the first character
/// @param end       the column of the line's END_OF_LINE token: one past the raw line's last character
/// @param generated the whole line was produced by a multi-line definition or a `~SEQ`/`~LST` line
record SourceLine(Path file, int line, String text, int[] columns, int first, int end, boolean generated) {

    /// A line as read from a file, without its line end (`\n`; a trailing `\r` is dropped too, as
    /// keepalived's `read_line` does).
    static SourceLine raw(Path file, int line, String text) {
        int length = text.length();
        int n = length;
        while (n > 0 && text.charAt(n - 1) == '\r') {
            n--;
        }
        return new SourceLine(file, line, text.substring(0, n), null, 1, length + 1, false);
    }

    /// A line made of text that is not written here: every character is at `anchor`'s column.
    static SourceLine substituted(Position anchor, String text, boolean generated) {
        var columns = new int[text.length()];
        Arrays.fill(columns, -anchor.column());
        return new SourceLine(anchor.file(), anchor.line(), text, columns, 0, anchor.column(), generated);
    }

    boolean isEmpty() {
        return text.isEmpty();
    }

    /// Where the character at `index` came from (the end of the line when `index` is past it).
    Position at(int index) {
        return new Position(file, line, column(index));
    }

    private int column(int index) {
        if (index >= text.length()) {
            return end;
        }
        return columns == null ? first + index : Math.abs(columns[index]);
    }

    /// The columns as an array (signed as [#columns] are).
    private int[] columnArray() {
        if (columns != null) {
            return columns;
        }
        var out = new int[text.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = first + i;
        }
        return out;
    }

    /// Whether any character in `[from, to)` was substituted.
    boolean substituted(int from, int to) {
        if (generated) {
            return true;
        }
        if (columns == null) {
            return false;
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
        return new SourceLine(file, line, text.substring(from, to),
                columns == null ? null : Arrays.copyOfRange(columns, from, to), first + from, end, generated);
    }

    SourceLine asGenerated() {
        return new SourceLine(file, line, text, columns, first, end, true);
    }

    /// `[from, to)` replaced by `value`, whose characters all come from the `$` at `from`.
    SourceLine replace(int from, int to, String value) {
        var columns = columnArray();
        int anchor = -Math.abs(columns[from]);
        var out = new int[columns.length - (to - from) + value.length()];
        System.arraycopy(columns, 0, out, 0, from);
        Arrays.fill(out, from, from + value.length(), anchor);
        System.arraycopy(columns, to, out, from + value.length(), columns.length - to);
        return new SourceLine(file, line, text.substring(0, from) + value + text.substring(to), out, 0, end, generated);
    }

    /// keepalived's `decomment()` (`lib/parser.c`): leading blanks go; `!` or `#` outside double
    /// quotes ends the line; `\!` and `\#` outside quotes stand for the character (the backslash
    /// goes); another backslash keeps the character after it, so `\"` does not open or close a
    /// quote; trailing blanks go, and a backslash that ends the line is kept at the end (it
    /// continues a multi-line definition), also after a comment.
    SourceLine decomment() {
        if (columns == null && plain(text)) {
            int from = 0;
            while (from < text.length() && (text.charAt(from) == ' ' || text.charAt(from) == '\t')) {
                from++;
            }
            int to = text.length();
            while (to > from && (text.charAt(to - 1) == ' ' || text.charAt(to - 1) == '\t')) {
                to--;
            }
            return from == 0 && to == text.length() ? this : range(from, to);
        }
        var columns = columnArray();
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
        return new SourceLine(file, line, out.toString(), Arrays.copyOf(cols, n), 0, end, generated);
    }

    /// Text with nothing [#decomment] acts on but blanks at either end: no quote, comment
    /// character or backslash.
    private static boolean plain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '#' || c == '!' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
