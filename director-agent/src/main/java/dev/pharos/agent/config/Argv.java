package dev.pharos.agent.config;

import java.util.ArrayList;
import java.util.List;

/// Splits text into words the way keepalived reads a script line (`lib/parser.c`,
/// `alloc_strvec_quoted_escaped`): words separated by blanks; `"…"` and `'…'` quote (also in the
/// middle of a word: `a"b c"d` is one word); `\` escapes everywhere, inside both kinds of quotes
/// too, with C's escapes (`\n`, `\t`, `\a`, `\b`, `\f`, `\r`, `\v`, `\E` for ESC, `\xHH`, up to
/// three octal digits, `\cX` for a control character); any other escaped character stands for
/// itself. keepalived splits twice: the line into its values (command, user, group), then the
/// command into the program and its arguments, which run without a shell.
public final class Argv {

    private Argv() {
    }

    /// The words of `text`; an unterminated quote or a `\` at the end throws, with what is wrong.
    public static List<String> split(String text) {
        var out = new ArrayList<String>();
        var word = new StringBuilder();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && blank(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            word.setLength(0);
            char quote = 0;
            while (i < n) {
                char c = text.charAt(i);
                if (c == '\\') {
                    if (i + 1 >= n) {
                        throw new IllegalArgumentException("'" + text + "' ends with a lone \\");
                    }
                    i = escape(text, i + 1, word);
                } else if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    } else {
                        word.append(c);
                    }
                    i++;
                } else if (c == '"' || c == '\'') {
                    quote = c;
                    i++;
                } else if (blank(c)) {
                    break;
                } else {
                    word.append(c);
                    i++;
                }
            }
            if (quote != 0) {
                throw new IllegalArgumentException("'" + text + "' is missing a terminating " + quote);
            }
            out.add(word.toString());
        }
        return List.copyOf(out);
    }

    /// Reads the escape starting at `i` (just after the `\`), appends its character, returns the next index.
    private static int escape(String s, int i, StringBuilder word) {
        int n = s.length();
        char c = s.charAt(i);
        if (c == 'x' && i + 1 < n && hex(s.charAt(i + 1)) >= 0) {
            int v = 0;
            i++;
            // keepalived reads every following hex digit into one char, keeping the low 8 bits
            while (i < n && hex(s.charAt(i)) >= 0) {
                v = ((v << 4) | hex(s.charAt(i))) & 0xff;
                i++;
            }
            word.append((char) v);
            return i;
        }
        if (c == 'c' && i + 1 < n) {
            word.append((char) (s.charAt(i + 1) & 0x1f));
            return i + 2;
        }
        if (c >= '0' && c <= '7') {
            int v = c - '0';
            i++;
            for (int k = 0; k < 2 && i < n && s.charAt(i) >= '0' && s.charAt(i) <= '7'; k++, i++) {
                v = ((v << 3) + (s.charAt(i) - '0')) & 0xff;
            }
            word.append((char) v);
            return i;
        }
        word.append(switch (c) {
            case 'a' -> '\u0007';
            case 'b' -> '\b';
            case 'E' -> '\u001b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'v' -> '\u000b';
            default -> c;
        });
        return i + 1;
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000b';
    }
}
