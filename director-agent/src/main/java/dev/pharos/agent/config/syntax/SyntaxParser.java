package dev.pharos.agent.config.syntax;

import dev.pharos.agent.config.syntax.SyntaxNode.Block;
import dev.pharos.agent.config.syntax.SyntaxNode.Opaque;
import dev.pharos.agent.config.syntax.SyntaxNode.Statement;
import dev.pharos.agent.config.syntax.SyntaxNode.Stray;
import dev.pharos.agent.config.syntax.SyntaxToken.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/// Text (one character per byte) into a lossless tree. Never fails: what does not fit the block
/// structure (a brace that closes nothing, a block the file never closes) is kept as it stands, so
/// that printing gives the text back whatever it holds.
///
/// The lines it keeps opaque follow keepalived 2.2.7's `lib/parser.c`, `read_line`: a line whose
/// first word is `@ID` (or `@^ID`) counts only when the config id matches (does not match), and
/// one that does not count is opaque; a line starting `$NAME=` (no blank before the `=`) defines
/// a parameter (`check_definition`), continued on the next line while it ends with `\`; `~SEQ`
/// and `~LST` lines define sequences; `include` lines and their variants are read by
/// `check_include`. The tokens of other lines follow [dev.pharos.agent.config.Lexer]'s rules
/// (comments, quotes, braces glued to words).
final class SyntaxParser {

    /// `include` and its variants `includer`, `includem`, `includew`, `includeb`, `includea`
    /// (`is_include`), followed by a blank.
    private static final Pattern INCLUDE = Pattern.compile("include[rmwba]?[ \\t\\r\\f\\u000b].*", Pattern.DOTALL);
    private static final Pattern DEFINITION = Pattern.compile("\\$[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);
    /// keepalived's nesting is at most 5 deep; past this a `{` is kept as a stray token so that a
    /// hostile file cannot exhaust the stack.
    private static final int MAX_DEPTH = 64;

    private final String configId;
    private final List<SyntaxToken> tokens = new ArrayList<>();
    private final StringBuilder pending = new StringBuilder();
    private int next;
    private int depth;
    /// Set by a line that makes the reading of later lines depend on it (see [Parsed#selfContained]).
    private boolean contextual;

    private SyntaxParser(String configId) {
        this.configId = configId;
    }

    /// The top-level block of `text` and the trivia after its last token.
    ///
    /// @param selfContained no line of the text defines a parameter or a sequence or includes a
    ///                      file: each line reads the same whatever stands around it, so a block
    ///                      of it can be read again on its own
    record Parsed(Block root, String end, boolean selfContained) {
    }

    static Parsed parse(String text, String configId) {
        var p = new SyntaxParser(configId);
        p.lex(text);
        var children = p.contents(false);
        return new Parsed(new Block(null, null, children, null), p.pending.toString(), !p.contextual);
    }

    // ---- tokens

    private void lex(String text) {
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int after = end < 0 ? text.length() : end + 1;
            var body = text.substring(start, end < 0 ? text.length() : end);
            var newline = text.substring(start + body.length(), after);
            int lineEnd = opaque(text, start, body);
            if (lineEnd >= 0) {
                int indent = blanks(body, 0);
                var content = text.substring(start + indent, lineEnd);
                var nl = content.endsWith("\n") ? "\n" : "";
                content = content.substring(0, content.length() - nl.length());
                pending.append(body, 0, indent);
                add(Kind.OPAQUE, content);
                tokens.set(tokens.size() - 1, tokens.getLast().withTrailing(nl));
                start = lineEnd;
                continue;
            }
            lexLine(body, newline);
            start = after;
        }
    }

    /// When the line at `start` is opaque: the index just past it (and its continuation lines,
    /// newline included); else -1.
    private int opaque(String text, int start, String body) {
        int i = blanks(body, 0);
        var rest = body.substring(i);
        if (rest.startsWith("@")) {
            int word = wordEnd(rest, 0);
            var id = rest.substring(1, word);
            boolean negated = id.startsWith("^");
            if (negated) {
                id = id.substring(1);
            }
            // keepalived drops an `@ID` line with nothing after the id, and one for another id.
            if (word == rest.length() || id.equals(configId) == negated) {
                return lineEnd(text, start);
            }
            rest = rest.substring(blanks(rest, word));
        }
        if (rest.startsWith("~SEQ") || rest.startsWith("~LST") || INCLUDE.matcher(rest).matches()) {
            contextual = true;
            return lineEnd(text, start);
        }
        if (DEFINITION.matcher(rest).matches()) {
            contextual = true;
            int end = lineEnd(text, start);
            var line = body;
            while (line.stripTrailing().endsWith("\\") && end < text.length()) {
                int from = end;
                end = lineEnd(text, from);
                line = text.substring(from, end).replace("\n", "");
            }
            return end;
        }
        return -1;
    }

    private static int lineEnd(String text, int start) {
        int end = text.indexOf('\n', start);
        return end < 0 ? text.length() : end + 1;
    }

    private void lexLine(String body, String newline) {
        int before = tokens.size();
        int i = 0;
        boolean first = true;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (blank(c)) {
                pending.append(c);
                i++;
            } else if (c == '!' || c == '#') {
                pending.append(body, i, body.length());
                i = body.length();
            } else if (c == '{' || c == '}') {
                add(c == '{' ? Kind.OPEN : Kind.CLOSE, String.valueOf(c));
                i++;
            } else if (c == '"') {
                int j = i + 1;
                while (j < body.length() && body.charAt(j) != '"') {
                    j += body.charAt(j) == '\\' && j + 1 < body.length() ? 2 : 1;
                }
                j = Math.min(j + 1, body.length());
                add(Kind.QUOTED, body.substring(i, j));
                i = j;
            } else {
                int j = wordEnd(body, i);
                add(first && c == '@' ? Kind.CONDITION : Kind.WORD, body.substring(i, j));
                i = j;
            }
            first = false;
        }
        pending.append(newline);
        if (tokens.size() > before) {
            tokens.set(tokens.size() - 1, tokens.getLast().withTrailing(pending.toString()));
            pending.setLength(0);
        }
    }

    private void add(Kind kind, String text) {
        tokens.add(new SyntaxToken(kind, pending.toString(), text, ""));
        pending.setLength(0);
    }

    /// The end of the word at `i`: the lexer's delimiters end it, `\!` and `\#` do not.
    private static int wordEnd(String s, int i) {
        int j = i;
        while (j < s.length()) {
            char d = s.charAt(j);
            if (d == '\\' && j + 1 < s.length() && (s.charAt(j + 1) == '!' || s.charAt(j + 1) == '#')) {
                j += 2;
                continue;
            }
            if (blank(d) || d == '{' || d == '}' || d == '"' || d == '!' || d == '#') {
                break;
            }
            j++;
        }
        return j;
    }

    private static int blanks(String s, int i) {
        while (i < s.length() && blank(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0B;
    }

    // ---- blocks

    /// Elements up to the `}` that closes the current block (left for the caller) or the end.
    private List<SyntaxNode> contents(boolean nested) {
        var out = new ArrayList<SyntaxNode>();
        while (next < tokens.size()) {
            var t = tokens.get(next);
            switch (t.kind()) {
                case CLOSE -> {
                    if (nested) {
                        return out;
                    }
                    out.add(new Stray(t));
                    next++;
                }
                case OPEN -> {
                    // keepalived takes a `{` that starts a line as the block of the statement before
                    if (!out.isEmpty() && out.getLast() instanceof Statement s && depth < MAX_DEPTH) {
                        out.set(out.size() - 1, block(s));
                    } else {
                        out.add(new Stray(t));
                        next++;
                    }
                }
                case OPAQUE -> {
                    out.add(new Opaque(t));
                    next++;
                }
                case WORD, QUOTED, CONDITION -> out.add(statementOrBlock());
            }
        }
        return out;
    }

    private SyntaxNode statementOrBlock() {
        var words = new ArrayList<SyntaxToken>();
        words.add(tokens.get(next++));
        while (next < tokens.size() && !words.getLast().endsLine() && tokens.get(next).isWord()) {
            words.add(tokens.get(next++));
        }
        if (words.stream().noneMatch(SyntaxToken::isWord)) {
            // an `@ID` prefix before a brace: kept as it stands
            return new Stray(words.getFirst());
        }
        var statement = new Statement(words);
        if (next < tokens.size() && !words.getLast().endsLine() && tokens.get(next).kind() == Kind.OPEN
                && depth < MAX_DEPTH) {
            return block(statement);
        }
        return statement;
    }

    /// The block `header` opens with the `{` at [#next].
    private Block block(Statement header) {
        var open = tokens.get(next++);
        depth++;
        var children = contents(true);
        depth--;
        SyntaxToken close = null;
        if (next < tokens.size()) {
            close = tokens.get(next++);
        }
        return new Block(header, open, children, close);
    }
}
