package dev.pharos.agent.config;

import java.util.List;

/// A statement keepalived knows but Pharos does not act on, kept verbatim so that rewriting the
/// file loses nothing. Loading it produces a warning naming the keyword.
///
/// @param block    true when the statement opens a block (`children` are its statements)
public record Extra(String keyword, List<String> args, boolean block, List<Extra> children) {
    public Extra {
        args = List.copyOf(args);
        children = List.copyOf(children);
    }

    static Extra of(Node node) {
        return new Extra(node.name(), node.args().stream().map(Token::text).toList(), node.isBlock(),
                node.isBlock() ? node.children().stream().map(Extra::of).toList() : List.of());
    }
}
