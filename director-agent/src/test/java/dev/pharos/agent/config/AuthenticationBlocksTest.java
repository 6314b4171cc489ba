package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/// `authentication` blocks as keepalived 2.2.7 reads them: only `auth_type` and `auth_pass` have
/// handlers (vrrp_parser.c), setting the instance's values, and `vrrp_complete_instance`
/// (vrrp.c) decides at the end.
class AuthenticationBlocksTest {

    private static String instance(String body) {
        return "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 1\n" + body
                + "    virtual_ipaddress {\n        192.0.2.10/24\n    }\n}\n";
    }

    private static LoadedConfig load(String text) throws ConfigException {
        return ConfigLoader.parse(Path.of("t.conf"), text, "");
    }

    private static List<String> warnings(String text) throws ConfigException {
        return load(text).warnings().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void aSecondBlockGoesOnWhereTheFirstLeftOff() throws ConfigException {
        var text = instance("    authentication {\n        auth_type AH\n        auth_pass first\n    }\n"
                + "    authentication {\n        auth_pass second\n    }\n");
        assertThat(load(text).config().vrrpInstances().getFirst().authentication())
                .isEqualTo(new VrrpInstanceDef.Authentication(VrrpInstanceDef.AuthType.AH, "second"));
        assertThat(warnings(text)).containsExactly("t.conf:8:5: warning: authentication is given again in"
                + " vrrp_instance VI_1 (first at line 4); keepalived reads its lines into the same settings, a value"
                + " given again replacing the earlier one, and so does Pharos");
    }

    @Test
    void withoutAuthTypeThereIsNoAuthentication() throws ConfigException {
        var text = instance("    authentication {\n        auth_pass 1111\n    }\n");
        assertThat(load(text).config().vrrpInstances().getFirst().authentication()).isNull();
        assertThat(warnings(text)).containsExactly("t.conf:4:5: warning: authentication in vrrp_instance VI_1 has no"
                + " auth_type: keepalived 2.2.7 runs the instance without authentication, and so does Pharos; add"
                + " auth_type PASS or AH");
    }
}
