package dev.pharos.agent.config.syntax;

/// One token with its trivia: `leading` is what stands between the previous token's trailing
/// trivia and this token (indentation, whole comment lines, blank lines); `trailing` is what
/// follows it on its line when it is the line's last token (blanks, a `!` or `#` comment, the
/// newline), else empty. Printing `leading + text + trailing` of every token in order gives the
/// file back.
public record SyntaxToken(Kind kind, String leading, String text, String trailing) {

    public enum Kind {
        /// A word outside quotes (`\!` and `\#` kept as written).
        WORD,
        /// A word in double quotes, the quotes included in [#text].
        QUOTED,
        OPEN,
        CLOSE,
        /// An `@ID` or `@^ID` prefix that makes the rest of its line count for one config id.
        CONDITION,
        /// A line kept verbatim and never edited: a `$NAME=` parameter definition (with its
        /// `\`-continued lines), an `include` line, an `@ID` line for another config id.
        OPAQUE
    }

    public SyntaxToken withText(String newText) {
        return new SyntaxToken(kind, leading, newText, trailing);
    }

    public SyntaxToken withTrailing(String newTrailing) {
        return new SyntaxToken(kind, leading, text, newTrailing);
    }

    /// true for a word, quoted or not.
    public boolean isWord() {
        return kind == Kind.WORD || kind == Kind.QUOTED;
    }

    /// true when a line break follows the token.
    public boolean endsLine() {
        return trailing.endsWith("\n");
    }

    void print(StringBuilder out) {
        out.append(leading).append(text).append(trailing);
    }
}
