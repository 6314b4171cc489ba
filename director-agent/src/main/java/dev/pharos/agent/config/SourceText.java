package dev.pharos.agent.config;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/// How the bytes of a configuration file become text, and back.
///
/// keepalived reads bytes: its keywords, blanks, quotes, braces and comment characters are ASCII,
/// and every other byte is part of a word or a comment. So a file is UTF-8 when its bytes are
/// valid UTF-8 (UTF-8 never uses an ASCII byte inside a multi-byte character), and ISO-8859-1
/// otherwise: one character per byte, so Latin-1 or Shift-JIS in a comment or a script path reads
/// without error and is split exactly where keepalived splits it. Either way, encoding the text
/// with [Decoded#charset] gives back the same bytes, which is what a writer must do.
public final class SourceText {

    private SourceText() {
    }

    /// The text of a file and the charset that gives its bytes back.
    public record Decoded(String text, Charset charset) {
    }

    public static Decoded decode(ByteBuffer bytes) {
        try {
            var text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.duplicate()).toString();
            return new Decoded(text, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            return new Decoded(StandardCharsets.ISO_8859_1.decode(bytes.duplicate()).toString(),
                    StandardCharsets.ISO_8859_1);
        }
    }

    public static Decoded decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes));
    }
}
