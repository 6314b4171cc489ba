package dev.pharos.agent.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/// Splits keepalived.conf text into tokens with positions. Pure: text in, tokens out.
///
/// keepalived's rules, as its `lib/parser.c` applies them: a line is the unit (a keyword and its
/// values share one line); `!` and `#` start a comment anywhere outside double quotes, and `\!`,
/// `\#` stand for the characters themselves; `{` and `}` are braces wherever they stand outside
/// quotes, also glued to a word (`virtual_ipaddress{`). A quoted string is one word.
public final class Lexer {

    private Lexer() {
    }

    public static List<Token> tokenize(String text, Path file) throws ConfigException {
        var tokens = new ArrayList<Token>();
        var errors = new ArrayList<Diagnostic>();
        int line = 1;
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            lexLine(text, start, end, file, line, tokens, errors);
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

    private static void lexLine(String text, int from, int to, Path file, int line, List<Token> out,
            List<Diagnostic> errors) {
        int before = out.size();
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            int column = i - from + 1;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0B) {
                i++;
            } else if (c == '!' || c == '#') {
                break;
            } else if (c == '{' || c == '}') {
                out.add(new Token(c == '{' ? Token.Kind.OPEN : Token.Kind.CLOSE, String.valueOf(c), false,
                        new Position(file, line, column)));
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
                    errors.add(Diagnostic.error(new Position(file, line, column),
                            "unterminated quoted string: add the closing \" on the same line"));
                    return;
                }
                out.add(new Token(Token.Kind.WORD, word.toString(), true, new Position(file, line, column)));
                i = j;
            } else if (Character.isISOControl(c)) {
                errors.add(Diagnostic.error(new Position(file, line, column),
                        String.format("unexpected control character U+%04X", (int) c)));
                return;
            } else {
                var word = new StringBuilder();
                int j = i;
                while (j < to) {
                    char d = text.charAt(j);
                    if (d == '\\' && j + 1 < to && (text.charAt(j + 1) == '!' || text.charAt(j + 1) == '#')) {
                        word.append(text.charAt(j + 1));
                        j += 2;
                        continue;
                    }
                    if (d == ' ' || d == '\t' || d == '\r' || d == '\f' || d == 0x0B || d == '{' || d == '}'
                            || d == '"' || d == '!' || d == '#' || Character.isISOControl(d)) {
                        break;
                    }
                    word.append(d);
                    j++;
                }
                out.add(new Token(Token.Kind.WORD, word.toString(), false, new Position(file, line, column)));
                i = j;
            }
        }
        if (out.size() > before) {
            out.add(new Token(Token.Kind.END_OF_LINE, "", false, new Position(file, line, to - from + 1)));
        }
    }
}
