package dev.pharos.agent.config.syntax;

import dev.pharos.agent.config.SourceText;
import dev.pharos.agent.config.syntax.SyntaxNode.Block;
import dev.pharos.agent.config.syntax.SyntaxNode.Statement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/// The lossless tree of one configuration file. [#bytes] of a tree nobody edited are the bytes it
/// was parsed from.
public final class SyntaxTree {

    private final Path file;
    private final Block root;
    /// Trivia after the last token.
    private final String end;
    /// Whether the semantic reader sees the file as UTF-8, which decides how a column counts.
    private final boolean utf8;
    private final boolean selfContained;

    private SyntaxTree(Path file, Block root, String end, boolean utf8, boolean selfContained) {
        this.file = file;
        this.root = root;
        this.end = end;
        this.utf8 = utf8;
        this.selfContained = selfContained;
    }

    /// Parses the bytes of `file`; `configId` decides which `@ID` lines count (keepalived's `-i`).
    public static SyntaxTree parse(Path file, byte[] bytes, String configId) {
        return parse(file, new String(bytes, StandardCharsets.ISO_8859_1), isUtf8(bytes), configId);
    }

    /// Parses text of one character per byte whose bytes are (`utf8`) or are not valid UTF-8.
    static SyntaxTree parse(Path file, String text, boolean utf8, String configId) {
        var parsed = SyntaxParser.parse(text, configId);
        return new SyntaxTree(file, parsed.root(), parsed.end(), utf8, parsed.selfContained());
    }

    public Path file() {
        return file;
    }

    /// The top level: a block without header or braces.
    public Block root() {
        return root;
    }

    /// Trivia after the last token.
    String end() {
        return end;
    }

    /// Whether the semantic reader sees the bytes as UTF-8.
    boolean utf8() {
        return utf8;
    }

    /// No line defines a parameter or a sequence or includes a file (see [SyntaxParser.Parsed]).
    boolean selfContained() {
        return selfContained;
    }

    /// The text, one character per byte.
    public String text() {
        var out = new StringBuilder();
        root.print(out);
        return out.append(end).toString();
    }

    public byte[] bytes() {
        return text().getBytes(StandardCharsets.ISO_8859_1);
    }

    /// The text as the semantic reader decodes the bytes ([SourceText#decode(byte[])]).
    public static String decode(byte[] bytes) {
        return SourceText.decode(bytes).text();
    }

    private static boolean isUtf8(byte[] bytes) {
        return SourceText.decode(bytes).charset().equals(StandardCharsets.UTF_8);
    }

    /// A statement or block and the block whose contents hold it.
    public record Site(Block parent, SyntaxNode node) {
    }

    /// The statement or block whose keyword stands at `line`:`column` (1-based, the column as the
    /// semantic reader counts it), if its keyword is `keyword`. The walk stops at that line: an
    /// edit near the top of a file of a hundred thousand lines does not walk the rest.
    public Optional<Site> at(int line, int column, String keyword) {
        var found = new Site[1];
        index(root, new Cursor(), line, (c, node, site) -> {
            if (c == column && node.name().equals(keyword)) {
                found[0] = site;
                return true;
            }
            return false;
        });
        return Optional.ofNullable(found[0]);
    }

    @FunctionalInterface
    private interface Visitor {
        /// A statement whose keyword stands on the line looked for; true ends the walk.
        boolean keyword(int column, Statement header, Site site);
    }

    /// Walks the tokens in file order up to `line` and reports the statements whose keyword stands
    /// on it; true when the walk ended (found, or past the line).
    private boolean index(Block block, Cursor cursor, int line, Visitor visitor) {
        for (var child : block.children()) {
            if (cursor.line > line) {
                return true;
            }
            switch (child) {
                case Statement s -> {
                    if (header(s, new Site(block, s), cursor, line, visitor)) {
                        return true;
                    }
                }
                case Block b -> {
                    if (header(b.header(), new Site(block, b), cursor, line, visitor)) {
                        return true;
                    }
                    cursor.advance(b.open().leading() + b.open().text() + b.open().trailing());
                    if (index(b, cursor, line, visitor)) {
                        return true;
                    }
                    if (b.close() != null) {
                        cursor.advance(b.close().leading() + b.close().text() + b.close().trailing());
                    }
                }
                case SyntaxNode other -> cursor.advance(other.text());
            }
        }
        return false;
    }

    private boolean header(Statement s, Site site, Cursor cursor, int line, Visitor visitor) {
        var keyword = s.keyword();
        for (var t : s.tokens()) {
            cursor.advance(t.leading());
            if (t == keyword && cursor.line == line && visitor.keyword(cursor.column(), s, site)) {
                return true;
            }
            cursor.advance(t.text() + t.trailing());
        }
        return false;
    }

    /// Line and column of a place in the text, counted as the semantic reader counts them.
    private final class Cursor {
        int line = 1;
        final StringBuilder current = new StringBuilder();

        void advance(String s) {
            int nl = s.lastIndexOf('\n');
            if (nl < 0) {
                current.append(s);
                return;
            }
            line += (int) s.chars().filter(ch -> ch == '\n').count();
            current.setLength(0);
            current.append(s, nl + 1, s.length());
        }

        int column() {
            var prefix = current.toString();
            return (utf8 ? new String(prefix.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8).length()
                    : prefix.length()) + 1;
        }
    }
}
