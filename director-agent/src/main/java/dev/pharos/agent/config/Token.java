package dev.pharos.agent.config;

/// One lexical element of keepalived.conf.
///
/// @param quoted true when the word was written in double quotes (it may then contain blanks,
///               `{`, `}`, `!` and `#`, and is never a brace)
public record Token(Kind kind, String text, boolean quoted, Position position) {

    public enum Kind {
        WORD, OPEN, CLOSE, END_OF_LINE
    }

    public boolean isWord(String word) {
        return kind == Kind.WORD && !quoted && text.equals(word);
    }
}
