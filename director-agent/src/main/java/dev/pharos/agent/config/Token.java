package dev.pharos.agent.config;

/// One lexical element of keepalived.conf.
///
/// @param quoted    true when the word was written in double quotes (it may then contain blanks,
///                  `{`, `}`, `!` and `#`, and is never a brace)
/// @param generated true when the text is not written at [#position] as it stands: it came (at
///                  least partly) from a `$NAME` parameter, a multi-line definition or a
///                  `~SEQ`/`~LST` line; the position is then the `$` of the use, or the word in
///                  the `~SEQ` line that is repeated. An editor must not overwrite it in place.
public record Token(Kind kind, String text, boolean quoted, Position position, boolean generated) {

    public enum Kind {
        WORD, OPEN, CLOSE, END_OF_LINE
    }

    /// A token written in the file exactly as its text says.
    public Token(Kind kind, String text, boolean quoted, Position position) {
        this(kind, text, quoted, position, false);
    }

    public boolean isWord(String word) {
        return kind == Kind.WORD && !quoted && text.equals(word);
    }
}
