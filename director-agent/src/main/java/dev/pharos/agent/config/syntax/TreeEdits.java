package dev.pharos.agent.config.syntax;

import dev.pharos.agent.config.syntax.SyntaxNode.Block;
import dev.pharos.agent.config.syntax.SyntaxNode.Opaque;
import dev.pharos.agent.config.syntax.SyntaxNode.Statement;
import dev.pharos.agent.config.syntax.SyntaxNode.Stray;
import dev.pharos.agent.config.syntax.SyntaxNode.Trivia;
import java.util.ArrayList;
import java.util.List;

/// The edits on a tree the editor is made of: set or remove a statement of a block, insert lines,
/// remove an element. Each changes only the tokens it must: the lines around keep their bytes.
///
/// Which trivia belongs to an element: the comment lines right above it (no blank line between),
/// its indentation, and everything after its last token up to the end of its line (a comment
/// there, the newline). Blank lines and comments further up stay where they are.
final class TreeEdits {

    private static final String DEFAULT_UNIT = "    ";

    private TreeEdits() {
    }

    /// Makes every statement among `names` in `block` say `args` (keyword, indentation and comment
    /// kept; a setting written twice has both lines changed, whichever one keepalived reads), or
    /// inserts `keyword args` as a new line before the block's first nested block.
    static void set(Block block, List<String> names, String keyword, List<String> args, Guard guard)
            throws LosslessEditException {
        var existing = block.children().stream().filter(c -> c instanceof Statement s && names.contains(s.name()))
                .map(c -> (Statement) c).toList();
        if (existing.isEmpty()) {
            int at = 0;
            while (at < block.children().size() && !(block.children().get(at) instanceof Block)) {
                at++;
            }
            // after the statements that stand before the first nested block, not after its comments
            insert(block, at, indentOfChildren(block) + keyword + (args.isEmpty() ? "" : " " + String.join(" ", args))
                    + "\n", null);
            return;
        }
        for (var statement : existing) {
            guard.check(statement, names.getFirst());
        }
        for (var statement : existing) {
            block.children().set(indexOf(block, statement), withArgs(statement, args));
        }
    }

    /// The statement with its values replaced: each new value takes the blanks of the value it
    /// replaces, and the last one the trivia that ended the line.
    private static Statement withArgs(Statement statement, List<String> args) {
        var old = statement.args();
        var tokens = new ArrayList<SyntaxToken>(statement.tokens().subList(0, statement.tokens().size() - old.size()));
        var lastTrailing = statement.tokens().getLast().trailing();
        tokens.set(tokens.size() - 1, tokens.getLast().withTrailing(""));
        for (int i = 0; i < args.size(); i++) {
            var leading = i < old.size() ? old.get(i).leading() : " ";
            tokens.add(new SyntaxToken(SyntaxToken.Kind.WORD, leading, args.get(i), ""));
        }
        tokens.set(tokens.size() - 1, tokens.getLast().withTrailing(lastTrailing));
        return new Statement(tokens);
    }

    /// Removes every statement among `names` from `block`.
    static void removeAll(Block block, List<String> names, Guard guard) throws LosslessEditException {
        for (var s : List.copyOf(block.children())) {
            if (s instanceof Statement st && names.contains(st.name())) {
                guard.check(st, names.getFirst());
                remove(block, st);
            }
        }
    }

    /// Checks a statement before an edit rewrites it.
    @FunctionalInterface
    interface Guard {
        void check(Statement s, String what) throws LosslessEditException;
    }

    /// Removes `node` from `parent` with the trivia that belongs to it, and returns that text
    /// (from its first comment line), for a move.
    static String remove(Block parent, SyntaxNode node) {
        int index = indexOf(parent, node);
        var first = node.tokens().getFirst();
        var leading = first.leading();
        int nl = leading.lastIndexOf('\n');
        var lines = lines(leading.substring(0, nl + 1));
        int k = lines.size();
        while (k > 0 && (lines.get(k - 1).strip().startsWith("!") || lines.get(k - 1).strip().startsWith("#"))) {
            k--;
        }
        var kept = new StringBuilder(String.join("", lines.subList(0, k)));
        var removed = String.join("", lines.subList(k, lines.size())) + node.text().substring(nl + 1);
        parent.children().remove(index);
        if (endsWithBlankLine(kept) && (index == parent.children().size()
                || startsWithBlankLine(firstLeading(parent.children().get(index))))) {
            // the blank line that separated the element from the one before it is not needed twice
            kept.setLength(kept.lastIndexOf("\n", kept.length() - 2) + 1);
        }
        if (!kept.isEmpty()) {
            parent.children().add(index, new Trivia(kept.toString()));
        }
        return removed;
    }

    /// Inserts `text` (whole lines) as elements of `parent` at `index`, parsed as a file is; a
    /// blank line before it when `separatedLike` stands after one.
    static void insert(Block parent, int index, String text, SyntaxNode separatedLike) {
        ensureLineEndsBefore(parent, index);
        if (separatedLike != null && startsWithBlankLine(firstLeading(separatedLike))) {
            text = "\n" + text;
        }
        var parsed = SyntaxParser.parse(text, null);
        var nodes = new ArrayList<>(parsed.root().children());
        if (!parsed.end().isEmpty()) {
            nodes.add(new Trivia(parsed.end()));
        }
        parent.children().addAll(index, nodes);
    }

    /// `text` with each line's leading `from` replaced by `to`.
    static String reindent(String text, String from, String to) {
        var out = new StringBuilder();
        for (var line : lines(text)) {
            out.append(line.startsWith(from) && !line.isBlank() ? to + line.substring(from.length()) : line);
        }
        return out.toString();
    }

    /// Text the canonical writer indented by four spaces a level, indented like the file: `base`
    /// for the first level, `unit` more for each level below.
    static String indentLike(String canonical, String base, String unit) {
        var out = new StringBuilder();
        for (var line : lines(canonical)) {
            int spaces = 0;
            while (spaces < line.length() && line.charAt(spaces) == ' ') {
                spaces++;
            }
            out.append(line.isBlank() ? line : base + unit.repeat(spaces / 4) + line.substring(spaces / 4 * 4));
        }
        return out.toString();
    }

    /// The indentation of the line `node` starts.
    static String indentOf(SyntaxNode node) {
        var leading = firstLeading(node);
        var indent = leading.substring(leading.lastIndexOf('\n') + 1);
        return indent.isBlank() ? indent : "";
    }

    /// The indentation of `block`'s statements: a child's, else the header's and one unit more.
    static String indentOfChildren(Block block) {
        for (var c : block.children()) {
            if (c instanceof Statement || c instanceof Block) {
                return indentOf(c);
            }
        }
        return block.header() == null ? "" : indentOf(block.header()) + DEFAULT_UNIT;
    }

    /// The file's indentation unit: what a nested statement adds to its block's header, looked
    /// for in `like` first (the block an insertion goes beside or into), then anywhere in `root`.
    static String unit(Block like, Block root) {
        var own = like == null ? null : unitOf(like);
        if (own != null) {
            return own;
        }
        for (var c : root.children()) {
            if (c instanceof Block b && unitOf(b) != null) {
                return unitOf(b);
            }
        }
        return DEFAULT_UNIT;
    }

    /// `like`'s own unit, else `otherwise` (the file's, found when the whole tree was at hand).
    static String unit(Block like, String otherwise) {
        var own = like == null ? null : unitOf(like);
        return own != null ? own : otherwise;
    }

    private static String unitOf(Block b) {
        if (b.header() == null) {
            return null;
        }
        var header = indentOf(b.header());
        for (var inner : b.children()) {
            if (inner instanceof Statement || inner instanceof Block) {
                var indent = indentOf(inner);
                if (indent.length() > header.length() && indent.startsWith(header)) {
                    return indent.substring(header.length());
                }
            }
        }
        return null;
    }

    private static String firstLeading(SyntaxNode node) {
        if (node instanceof Trivia t) {
            return t.text();
        }
        var tokens = node.tokens();
        return tokens.isEmpty() ? "" : tokens.getFirst().leading();
    }

    /// A line inserted at `index` must start a line: the text before it gets a newline if it has none.
    private static void ensureLineEndsBefore(Block parent, int index) {
        if (index == 0) {
            if (parent.open() != null && !parent.open().endsLine()) {
                parent.open(parent.open().withTrailing(parent.open().trailing() + "\n"));
            }
            return;
        }
        var before = parent.children().get(index - 1);
        switch (before) {
            case Statement s -> {
                if (!s.tokens().getLast().endsLine()) {
                    var tokens = new ArrayList<>(s.tokens());
                    tokens.set(tokens.size() - 1, tokens.getLast().withTrailing(tokens.getLast().trailing() + "\n"));
                    parent.children().set(index - 1, new Statement(tokens));
                }
            }
            case Block b -> {
                if (b.close() != null && !b.close().endsLine()) {
                    b.close(b.close().withTrailing(b.close().trailing() + "\n"));
                }
            }
            case Opaque o -> {
                if (!o.token().endsLine()) {
                    parent.children().set(index - 1, new Opaque(o.token().withTrailing(o.token().trailing() + "\n")));
                }
            }
            case Stray s -> {
                if (!s.token().endsLine()) {
                    parent.children().set(index - 1, new Stray(s.token().withTrailing(s.token().trailing() + "\n")));
                }
            }
            case Trivia t -> {
                if (!t.text().endsWith("\n")) {
                    parent.children().set(index - 1, new Trivia(t.text() + "\n"));
                }
            }
        }
    }

    private static boolean startsWithBlankLine(String leading) {
        int nl = leading.indexOf('\n');
        return nl >= 0 && leading.substring(0, nl).isBlank();
    }

    private static boolean endsWithBlankLine(CharSequence text) {
        var s = text.toString();
        if (!s.endsWith("\n")) {
            return false;
        }
        int before = s.lastIndexOf('\n', s.length() - 2);
        return s.substring(before + 1, s.length() - 1).isBlank();
    }

    /// Where `node` stands in `parent`, by identity: two statements may be written alike.
    static int indexOf(Block parent, SyntaxNode node) {
        var children = parent.children();
        for (int i = 0; i < children.size(); i++) {
            if (children.get(i) == node) {
                return i;
            }
        }
        throw new IllegalStateException("the element is no longer in its block");
    }

    /// `text` split after each newline.
    static List<String> lines(String text) {
        var out = new ArrayList<String>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            out.add(text.substring(start, end));
            start = end;
        }
        return out;
    }
}
