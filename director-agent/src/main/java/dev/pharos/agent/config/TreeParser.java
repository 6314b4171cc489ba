package dev.pharos.agent.config;

import java.util.ArrayList;
import java.util.List;

/// Builds the block tree from tokens: `keyword value… {` opens a block, `}` closes it, and a `{`
/// alone on the next line opens the block of the statement before it (keepalived accepts both).
public final class TreeParser {

    /// keepalived's deepest real nesting is 5 (virtual_server > real_server > checker > url);
    /// anything far deeper is not a configuration and must not exhaust the stack.
    static final int MAX_DEPTH = 32;

    private final List<Token> tokens;
    private final List<Diagnostic> errors = new ArrayList<>();
    private int next;
    private int depth;

    private TreeParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    public static List<Node> parse(List<Token> tokens) throws ConfigException {
        var p = new TreeParser(tokens);
        var nodes = p.statements(null);
        if (!p.errors.isEmpty()) {
            throw new ConfigException(p.errors);
        }
        return nodes;
    }

    /// Statements until the `}` that closes `opener` (or the end, when `opener` is null).
    private List<Node> statements(Node opener) {
        if (opener != null && depth >= MAX_DEPTH) {
            errors.add(Diagnostic.error(opener.position(), "blocks nested deeper than " + MAX_DEPTH + " levels"));
            skipBlock(opener);
            return List.of();
        }
        depth++;
        try {
            return statementsInside(opener);
        } finally {
            depth--;
        }
    }

    /// Skips to the `}` that closes the current block, without recursion.
    private void skipBlock(Node opener) {
        int open = 1;
        while (next < tokens.size() && open > 0) {
            switch (tokens.get(next).kind()) {
                case OPEN -> open++;
                case CLOSE -> open--;
                case WORD, END_OF_LINE -> { }
            }
            next++;
        }
        if (open > 0) {
            errors.add(Diagnostic.error(opener.position(), "block '" + opener.name()
                    + "' opened here is never closed: a '}' is missing"));
        }
    }

    private List<Node> statementsInside(Node opener) {
        var nodes = new ArrayList<Node>();
        while (next < tokens.size()) {
            var t = tokens.get(next);
            switch (t.kind()) {
                case END_OF_LINE -> next++;
                case CLOSE -> {
                    next++;
                    if (opener != null) {
                        return nodes;
                    }
                    errors.add(Diagnostic.error(t.position(), "unexpected '}': no block is open here"));
                }
                case OPEN -> {
                    next++;
                    var last = nodes.isEmpty() ? null : nodes.getLast();
                    if (last != null && !last.isBlock()) {
                        var block = new Node(last.keyword(), last.args(), statements(last));
                        nodes.set(nodes.size() - 1, block);
                    } else {
                        errors.add(Diagnostic.error(t.position(), "unexpected '{': a block must follow a keyword"));
                        statements(new Node(t, List.of(), List.of()));
                    }
                }
                case WORD -> {
                    var keyword = t;
                    next++;
                    var args = new ArrayList<Token>();
                    while (next < tokens.size() && tokens.get(next).kind() == Token.Kind.WORD) {
                        args.add(tokens.get(next));
                        next++;
                    }
                    if (next < tokens.size() && tokens.get(next).kind() == Token.Kind.OPEN) {
                        next++;
                        var header = new Node(keyword, List.copyOf(args), List.of());
                        nodes.add(new Node(keyword, List.copyOf(args), statements(header)));
                    } else {
                        nodes.add(new Node(keyword, List.copyOf(args), null));
                    }
                }
            }
        }
        if (opener != null) {
            errors.add(Diagnostic.error(opener.position(), "block '" + opener.name()
                    + "' opened here is never closed: a '}' is missing"));
        }
        return nodes;
    }
}
