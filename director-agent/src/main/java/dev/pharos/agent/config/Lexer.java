package dev.pharos.agent.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/// Splits keepalived.conf lines into tokens with positions. Pure: text in, tokens out.
///
/// keepalived's rules, as its `lib/parser.c` applies them: a line is the unit (a keyword and its
/// values share one line); comments are gone before a line is split ([SourceLine#decomment]);
/// `{` and `}` are braces wherever they stand outside quotes, also glued to a word
/// (`virtual_ipaddress{`, `read_line`); blanks are space, tab, CR, FF and VT (`alloc_strvec_r`);
/// a quoted string is one word. Any other character, also a byte of a legacy encoding, is part of
/// a word; only the C0 control characters and DEL are refused.
public final class Lexer {

    private Lexer() {
    }

    /// Tokens of text that holds no parameters, `@ID` lines or includes (those are [SourceReader]'s).
    public static List<Token> tokenize(String text, Path file) throws ConfigException {
        var tokens = new ArrayList<Token>();
        var words = new Words();
        var errors = new ArrayList<Diagnostic>();
        int line = 1;
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            tokenize(SourceLine.raw(file, line, text.substring(start, end)).decomment(), tokens, errors, words);
            if (end == text.length()) {
                break;
            }
            start = end + 1;
            line++;
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return tokens;
    }

    /// Appends the tokens of one line, comments already removed, and its END_OF_LINE; `words`
    /// gives each word's text, shared by the tokens of the whole configuration.
    static void tokenize(SourceLine line, List<Token> out, List<Diagnostic> errors, Words words) {
        int before = out.size();
        var text = line.text();
        int to = text.length();
        int i = 0;
        while (i < to) {
            char c = text.charAt(i);
            if (blank(c)) {
                i++;
            } else if (c == '{' || c == '}') {
                out.add(c == '{' ? new Token(Token.Kind.OPEN, "{", false, line.at(i), line.substituted(i, i + 1))
                        : new Token(Token.Kind.CLOSE, "}", false, line.at(i), line.substituted(i, i + 1)));
                i++;
            } else if (c == '"') {
                var word = new StringBuilder();
                int j = i + 1;
                boolean closed = false;
                while (j < to) {
                    char d = text.charAt(j);
                    if (d == '\\' && j + 1 < to && (text.charAt(j + 1) == '"' || text.charAt(j + 1) == '\\')) {
                        word.append(text.charAt(j + 1));
                        j += 2;
                    } else if (d == '"') {
                        closed = true;
                        j++;
                        break;
                    } else {
                        word.append(d);
                        j++;
                    }
                }
                if (!closed) {
                    errors.add(Diagnostic.error(line.at(i),
                            "unterminated quoted string: add the closing \" on the same line"));
                    return;
                }
                out.add(new Token(Token.Kind.WORD, words.of(word.toString()), true, line.at(i), line.substituted(i, j)));
                i = j;
            } else if (refused(c)) {
                errors.add(Diagnostic.error(line.at(i), String.format("unexpected control character U+%04X", (int) c)));
                return;
            } else {
                int j = i;
                while (j < to) {
                    char d = text.charAt(j);
                    if (blank(d) || d == '{' || d == '}' || d == '"' || refused(d)) {
                        break;
                    }
                    j++;
                }
                out.add(new Token(Token.Kind.WORD, words.of(text, i, j), false, line.at(i), line.substituted(i, j)));
                i = j;
            }
        }
        if (out.size() > before) {
            out.add(new Token(Token.Kind.END_OF_LINE, "", false, new Position(line.file(), line.line(), line.end()),
                    line.generated()));
        }
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0B;
    }

    /// C0 controls other than the blanks, and DEL: not text. C1 (U+0080–U+009F) is allowed, since
    /// those are the bytes 0x80–0x9F of a file that is not UTF-8 (Shift-JIS lead bytes, say).
    private static boolean refused(char c) {
        return (c < 0x20 && !blank(c)) || c == 0x7F;
    }
}
