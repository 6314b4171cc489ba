package dev.pharos.agent.config.syntax;

import java.util.ArrayList;
import java.util.List;

/// An element of a block's contents: a statement, a block, an opaque line, a brace that closes or
/// opens nothing, or trivia an edit left behind. Printing the elements in order gives their text.
public sealed interface SyntaxNode {

    /// The element's tokens in file order.
    List<SyntaxToken> tokens();

    /// The element's text, trivia included.
    default String text() {
        var out = new StringBuilder();
        print(out);
        return out.toString();
    }

    void print(StringBuilder out);

    /// A keyword and its values on one line, perhaps after an `@ID` [SyntaxToken.Kind#CONDITION].
    record Statement(List<SyntaxToken> tokens) implements SyntaxNode {
        public Statement {
            tokens = List.copyOf(tokens);
        }

        /// The keyword token: the first word.
        public SyntaxToken keyword() {
            return tokens.stream().filter(SyntaxToken::isWord).findFirst().orElseThrow();
        }

        public String name() {
            return keyword().text();
        }

        /// The words after the keyword.
        public List<SyntaxToken> args() {
            return tokens.subList(tokens.indexOf(keyword()) + 1, tokens.size());
        }

        /// true when an `@ID` prefix makes the line count for one config id only.
        public boolean conditional() {
            return tokens.getFirst().kind() == SyntaxToken.Kind.CONDITION;
        }

        @Override
        public void print(StringBuilder out) {
            tokens.forEach(t -> t.print(out));
        }
    }

    /// A statement that opens a block, its contents and the closing brace (`null` when the file
    /// ends first). The top level of a file is a block without header and braces. The contents
    /// are mutable: the editor changes them in place.
    final class Block implements SyntaxNode {
        private Statement header;
        private SyntaxToken open;
        private final List<SyntaxNode> children;
        private SyntaxToken close;

        Block(Statement header, SyntaxToken open, List<SyntaxNode> children, SyntaxToken close) {
            this.header = header;
            this.open = open;
            this.children = new ArrayList<>(children);
            this.close = close;
        }

        public Statement header() {
            return header;
        }

        void header(Statement replaced) {
            header = replaced;
        }

        public SyntaxToken open() {
            return open;
        }

        void open(SyntaxToken replaced) {
            open = replaced;
        }

        public List<SyntaxNode> children() {
            return children;
        }

        public SyntaxToken close() {
            return close;
        }

        void close(SyntaxToken replaced) {
            close = replaced;
        }

        public String name() {
            return header == null ? "" : header.name();
        }

        @Override
        public List<SyntaxToken> tokens() {
            var out = new ArrayList<SyntaxToken>();
            if (header != null) {
                out.addAll(header.tokens());
            }
            if (open != null) {
                out.add(open);
            }
            children.forEach(c -> out.addAll(c.tokens()));
            if (close != null) {
                out.add(close);
            }
            return out;
        }

        @Override
        public void print(StringBuilder out) {
            if (header != null) {
                header.print(out);
            }
            if (open != null) {
                open.print(out);
            }
            children.forEach(c -> c.print(out));
            if (close != null) {
                close.print(out);
            }
        }
    }

    /// A line kept verbatim (see [SyntaxToken.Kind#OPAQUE]).
    record Opaque(SyntaxToken token) implements SyntaxNode {
        @Override
        public List<SyntaxToken> tokens() {
            return List.of(token);
        }

        @Override
        public void print(StringBuilder out) {
            token.print(out);
        }
    }

    /// A brace that opens or closes no block, or an `@ID` prefix before one: kept, never edited.
    record Stray(SyntaxToken token) implements SyntaxNode {
        @Override
        public List<SyntaxToken> tokens() {
            return List.of(token);
        }

        @Override
        public void print(StringBuilder out) {
            token.print(out);
        }
    }

    /// Comment and blank lines that stay where an edit removed the element they stood before.
    record Trivia(String text) implements SyntaxNode {
        @Override
        public List<SyntaxToken> tokens() {
            return List.of();
        }

        @Override
        public void print(StringBuilder out) {
            out.append(text);
        }
    }
}
