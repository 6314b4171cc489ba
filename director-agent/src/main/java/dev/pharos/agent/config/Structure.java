package dev.pharos.agent.config;

/// Shape checks shared by the parsers.
final class Structure {

    private Structure() {
    }

    /// True when `n` opens a block and has exactly `names` words after its keyword.
    static boolean block(Values values, Node n, int names) {
        if (!n.isBlock()) {
            values.error(n.position(), n.name() + " must open a block: " + n.name()
                    + (names > 0 ? " NAME" : "") + " { … }");
            return false;
        }
        if (n.args().size() != names) {
            if (n.args().size() < names) {
                values.error(n.position(), n.name() + " needs a name");
            } else {
                var extra = n.args().get(names);
                values.error(extra.position(), "unexpected '" + extra.text() + "' before '{' of " + n.name());
            }
            return false;
        }
        return true;
    }

    /// All values of `n` joined by spaces (e.g. `smtp_server 192.0.2.25 25`).
    static String joined(Values values, Node n) {
        if (n.isBlock() || n.args().isEmpty()) {
            values.error(n.position(), n.name() + " needs a value");
            return null;
        }
        return String.join(" ", n.args().stream().map(Token::text).toList());
    }
}
