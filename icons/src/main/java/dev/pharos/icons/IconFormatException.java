package dev.pharos.icons;

import java.io.Serial;

/// An SVG icon source outside the subset Pharos reads. The message starts with the file and,
/// where known, `line:column`, then says what is wrong and what to draw instead, e.g.
/// `dev/pharos/icons/svg/vip.svg:3:9: <text> is not supported: draw glyphs as paths`.
public final class IconFormatException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    IconFormatException(String message) {
        super(message);
    }

    IconFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
