package dev.pharos.agent.config;

/// The `auth_type` and `auth_pass` read so far from an instance's `authentication` blocks.
///
/// keepalived installs no handler for the block itself, only for `auth_type` and `auth_pass`
/// (vrrp_parser.c `vrrp_auth_type_handler`, `vrrp_auth_pass_handler`), which set the instance's
/// values; so a second block goes on where the first left off, a value given again replacing the
/// earlier one.
final class AuthenticationBlocks {

    private Position at;
    private VrrpInstanceDef.AuthType type;
    private String pass;

    /// Reads one `authentication { … }` block into what was read before.
    void read(Values values, Node n, String where) {
        if (!Structure.block(values, n, 0)) {
            return;
        }
        if (at != null) {
            values.warning(n.position(), "authentication is given again in " + where + " (first at line "
                    + at.line() + "); keepalived reads its lines into the same settings, a value given again"
                    + " replacing the earlier one, and so does Pharos");
        } else {
            at = n.position();
        }
        new BlockReader(values, "authentication", Keywords.AUTHENTICATION)
                .on("auth_type", c -> {
                    var t = values.string(c);
                    if (t != null) {
                        switch (t) {
                            case "PASS" -> type = VrrpInstanceDef.AuthType.PASS;
                            case "AH" -> type = VrrpInstanceDef.AuthType.AH;
                            default -> values.error(c.args().getFirst().position(),
                                    "auth_type must be PASS or AH, not '" + t + "'");
                        }
                    }
                })
                .on("auth_pass", c -> {
                    var t = values.single(c);
                    if (t != null) {
                        pass = t.text();
                        if (t.text().length() > 8) {
                            values.warning(t.position(), "auth_pass is longer than 8 characters; VRRP carries only"
                                    + " the first 8 (" + t.text().substring(0, 8) + "), as keepalived does");
                        }
                    }
                })
                .read(n);
    }

    /// The instance's authentication once every block is read, as vrrp.c `vrrp_complete_instance`
    /// decides it: without `auth_type` there is none (an `auth_pass` alone is unused, silently); a
    /// type without a password is reported and dropped by keepalived, refused here.
    VrrpInstanceDef.Authentication complete(Values values, String where) {
        if (at == null) {
            return null;
        }
        if (type == null) {
            values.warning(at, "authentication in " + where + " has no auth_type: keepalived 2.2.7 runs the"
                    + " instance without authentication, and so does Pharos; add auth_type PASS or AH");
            return null;
        }
        if (pass == null) {
            values.error(at, "authentication in " + where + " needs an auth_pass");
            return null;
        }
        return new VrrpInstanceDef.Authentication(type, pass);
    }
}
