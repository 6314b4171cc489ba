package dev.pharos.agent.config;

import java.util.List;

/// One statement of the block tree: a keyword, its values on the same line, and — when it opens a
/// block — the statements inside.
///
/// @param children `null` for a plain statement, the block's statements otherwise
public record Node(Token keyword, List<Token> args, List<Node> children) {

    public String name() {
        return keyword.text();
    }

    public Position position() {
        return keyword.position();
    }

    public boolean isBlock() {
        return children != null;
    }
}
